-- The reference schema of the gim source in T-SQL (SQL Server 2017 and later). It mirrors
-- sql/gim.sql, the PostgreSQL original, table for table and column for column: same names (lower
-- case, so that rows come back keyed as the product reads them), same types, nullability,
-- defaults, keys and indexes. Change both files together; sql/gim.sql holds the documentation
-- of every column. Used by the shared query tests (test/helpers/mssql-database.ts), which run each
-- file as one batch: no GO separators.
--
-- Translations: integer -> int; numeric(p) -> numeric(p,0) (the same exact integer type);
-- varchar(n) stays varchar(n). Nullable columns say NULL explicitly, since a column's default
-- nullability in T-SQL depends on session settings (ANSI_NULL_DFLT_ON).

CREATE TABLE tenant (
  tenant_key      int          NOT NULL PRIMARY KEY,
  tenant_name     varchar(255) NOT NULL,
  tenant_cfg_dbid int          NULL
);

CREATE TABLE media_type (
  media_type_key  int          NOT NULL PRIMARY KEY,
  media_name      varchar(64)  NOT NULL,
  media_name_code varchar(32)  NOT NULL,
  is_online       numeric(1,0) NOT NULL DEFAULT 1
);

CREATE TABLE resource_ (
  resource_key         int          NOT NULL PRIMARY KEY,
  tenant_key           int          NOT NULL,
  resource_type        varchar(64)  NULL,
  resource_type_code   varchar(32)  NOT NULL,
  resource_subtype     varchar(64)  NULL,
  resource_name        varchar(255) NULL,
  agent_first_name     varchar(64)  NULL,
  agent_last_name      varchar(64)  NULL,
  employee_id          varchar(64)  NULL,
  switch_name          varchar(255) NULL,
  resource_cfg_dbid    int          NULL,
  resource_cfg_type_id int          NULL
);

CREATE TABLE interaction_type (
  interaction_type_key     int         NOT NULL PRIMARY KEY,
  interaction_type         varchar(64) NULL,
  interaction_type_code    varchar(32) NULL,
  interaction_subtype      varchar(64) NULL,
  interaction_subtype_code varchar(32) NULL
);

CREATE TABLE sm_res_session_fact (
  sm_res_session_fact_key numeric(19,0) NOT NULL PRIMARY KEY,
  tenant_key              int           NOT NULL,
  media_type_key          int           NOT NULL,
  resource_key            int           NOT NULL,
  start_date_time_key     int           NOT NULL,
  end_date_time_key       int           NOT NULL,
  start_ts                int           NOT NULL,
  end_ts                  int           NULL,
  total_duration          int           NULL,
  active_flag             numeric(1,0)  NOT NULL DEFAULT 0
);
CREATE INDEX sm_res_session_fact_sdt ON sm_res_session_fact (start_date_time_key);

CREATE TABLE interaction_fact (
  interaction_id       numeric(19,0) NOT NULL PRIMARY KEY,
  tenant_key           int           NOT NULL,
  interaction_type_key int           NOT NULL,
  media_type_key       int           NOT NULL,
  start_date_time_key  int           NOT NULL,
  end_date_time_key    int           NULL,
  start_ts             int           NOT NULL,
  end_ts               int           NULL
);
CREATE INDEX interaction_fact_sdt ON interaction_fact (start_date_time_key);

CREATE TABLE interaction_resource_fact (
  interaction_resource_id numeric(19,0) NOT NULL PRIMARY KEY,
  interaction_id          numeric(19,0) NOT NULL,
  tenant_key              int           NOT NULL,
  resource_key            int           NOT NULL,
  media_type_key          int           NOT NULL,
  interaction_type_key    int           NOT NULL,
  start_date_time_key     int           NOT NULL,
  start_ts                int           NOT NULL,
  end_ts                  int           NULL,
  talk_count              int           NOT NULL DEFAULT 0,
  customer_handle_count   int           NOT NULL DEFAULT 0
);
CREATE INDEX interaction_resource_fact_sdt ON interaction_resource_fact (start_date_time_key);
