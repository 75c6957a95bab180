-- The reference schema of the cfg source in T-SQL (SQL Server 2017 and later). It mirrors
-- sql/cfg.sql, the PostgreSQL original, table for table and column for column: same names (lower
-- case, so that rows come back keyed as the product reads them), same types, nullability,
-- defaults and keys. Change both files together; sql/cfg.sql holds the documentation of every
-- column and enumeration. Used by the shared query tests (test/helpers/mssql-database.ts), which
-- run each file as one batch: no GO separators.
--
-- Translations: integer -> int; varchar(n) stays varchar(n). Nullable columns say NULL
-- explicitly, since a column's default nullability in T-SQL depends on session settings.

CREATE TABLE cfg_tenant (
  dbid  int          NOT NULL PRIMARY KEY,
  name  varchar(255) NOT NULL,
  state int          NOT NULL DEFAULT 1
);

CREATE TABLE cfg_switch (
  dbid        int          NOT NULL PRIMARY KEY,
  tenant_dbid int          NOT NULL,
  name        varchar(255) NOT NULL,
  type        int          NULL,
  state       int          NOT NULL DEFAULT 1
);

CREATE TABLE cfg_person (
  dbid        int          NOT NULL PRIMARY KEY,
  tenant_dbid int          NOT NULL,
  user_name   varchar(255) NOT NULL,
  first_name  varchar(64)  NULL,
  last_name   varchar(64)  NULL,
  employee_id varchar(64)  NOT NULL,
  is_agent    int          NOT NULL,
  state       int          NOT NULL DEFAULT 1
);

CREATE TABLE cfg_agent_login (
  dbid        int          NOT NULL PRIMARY KEY,
  switch_dbid int          NOT NULL,
  tenant_dbid int          NOT NULL,
  login_code  varchar(255) NOT NULL,
  state       int          NOT NULL DEFAULT 1
);

CREATE TABLE cfg_login_info (
  person_dbid      int NOT NULL,
  agent_login_dbid int NOT NULL,
  wrapup_time      int NULL DEFAULT 0,
  PRIMARY KEY (person_dbid, agent_login_dbid)
);

CREATE TABLE cfg_dn (
  dbid        int          NOT NULL PRIMARY KEY,
  switch_dbid int          NOT NULL,
  tenant_dbid int          NOT NULL,
  type        int          NOT NULL,
  number_     varchar(255) NOT NULL,
  state       int          NOT NULL DEFAULT 1
);

CREATE TABLE cfg_group (
  dbid        int          NOT NULL PRIMARY KEY,
  tenant_dbid int          NOT NULL,
  name        varchar(255) NOT NULL,
  type        int          NOT NULL,
  state       int          NOT NULL DEFAULT 1
);

CREATE TABLE cfg_flex_prop (
  dbid        int           NOT NULL PRIMARY KEY,
  object_dbid int           NOT NULL,
  object_type int           NOT NULL,
  parent_dbid int           NOT NULL DEFAULT 0,
  prop_type   int           NULL,
  prop_name   varchar(255)  NOT NULL,
  prop_value  varchar(4000) NULL
);
