-- BDS's copy of the reference schema of the gvp source (PostgreSQL). Loaded by `bds demo`,
-- `bds seed` and the integration tests; the product's queries run against these tables.

-- The physical schema of the Reporting Server database is not public. What is public is the
-- content that the RS keeps: one call detail record (CDR) per call handled by a Media Control
-- Platform (MCP), Resource Manager (RM) or Call Control Platform (CCP), with start, end, tenant,
-- IVR profile and component; and the ASR / TTS sessions used inside calls. These two tables model
-- that content with names of our own. The product's default queries target them, and a deployment
-- whose RS database differs supplies its own queries in configuration (`queries:` of a GVP source;
-- see docs/gvp-queries.md, and the README's Configuration section).
-- Real RS databases run on Microsoft SQL Server (the usual case) or Oracle, so queries stay
-- portable. Timestamps are UTC, stored without a time zone.

CREATE TABLE gvp_cdr (
  cdr_id      bigint PRIMARY KEY,
  component   varchar(8)  NOT NULL,   -- 'MCP' | 'RM' | 'CCP'
  comp_id     integer     NOT NULL,   -- the component's Configuration Server DBID
  session_id  varchar(64) NOT NULL,
  tenant_id   integer     NOT NULL,   -- the Tenant's Configuration Server DBID
  app_id      integer,                -- the IVR profile's Configuration Server DBID
  dn          varchar(64),
  call_start  timestamp   NOT NULL,
  call_end    timestamp               -- NULL while the call is in progress
);
CREATE INDEX gvp_cdr_start ON gvp_cdr (call_start);

CREATE TABLE gvp_media_resource_session (
  id            bigint PRIMARY KEY,
  comp_id       integer     NOT NULL,
  session_id    varchar(64) NOT NULL, -- the call (gvp_cdr.session_id of the MCP record) it served
  resource_kind varchar(3)  NOT NULL, -- 'ASR' | 'TTS'
  tenant_id     integer     NOT NULL,
  start_ts      timestamp   NOT NULL,
  end_ts        timestamp             -- NULL while in progress
);
CREATE INDEX gvp_media_resource_session_start ON gvp_media_resource_session (start_ts);
