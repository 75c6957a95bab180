-- The reference schema of the gvp source in T-SQL (SQL Server 2017 and later), the Reporting
-- Server's usual database. It mirrors sql/gvp.sql, the PostgreSQL original, table for table and
-- column for column: same names (lower case, so that rows come back keyed as the product reads
-- them), same types, nullability, keys and indexes. Change both files together; sql/gvp.sql holds
-- the documentation of every column. Used by the shared query tests
-- (test/helpers/mssql-database.ts), which run each file as one batch: no GO separators.
--
-- Translations: PostgreSQL `timestamp` (without time zone, microseconds) is datetime2(6) here:
-- T-SQL's own `timestamp` is a rowversion, not a date. Values are UTC without a zone, as there.
-- integer -> int; bigint and varchar(n) stay. Nullable columns say NULL explicitly.

CREATE TABLE gvp_cdr (
  cdr_id      bigint       NOT NULL PRIMARY KEY,
  component   varchar(8)   NOT NULL,
  comp_id     int          NOT NULL,
  session_id  varchar(64)  NOT NULL,
  tenant_id   int          NOT NULL,
  app_id      int          NULL,
  dn          varchar(64)  NULL,
  call_start  datetime2(6) NOT NULL,
  call_end    datetime2(6) NULL
);
CREATE INDEX gvp_cdr_start ON gvp_cdr (call_start);

CREATE TABLE gvp_media_resource_session (
  id            bigint       NOT NULL PRIMARY KEY,
  comp_id       int          NOT NULL,
  session_id    varchar(64)  NOT NULL,
  resource_kind varchar(3)   NOT NULL,
  tenant_id     int          NOT NULL,
  start_ts      datetime2(6) NOT NULL,
  end_ts        datetime2(6) NULL
);
CREATE INDEX gvp_media_resource_session_start ON gvp_media_resource_session (start_ts);
