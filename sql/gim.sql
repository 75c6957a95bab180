-- BDS's copy of the reference schema of the gim source (PostgreSQL). Loaded by `bds demo`,
-- `bds seed` and the integration tests; the product's queries run against these tables.

-- Table and column names follow the GIM 8.5 physical data model. Identifiers are unquoted, so
-- PostgreSQL folds them to lower case and a query may spell them in either case.
-- The same tables exist on Microsoft SQL Server and Oracle deployments of GIM: queries must stay
-- portable (no PostgreSQL-only functions); every time value billing needs is an integer.
--
-- Time conventions (as in GIM):
--   *_ts                 integer seconds since 1970-01-01 UTC
--   *_date_time_key      UTC epoch second at which the 15-minute interval containing the
--                        moment starts, i.e. floor(ts / 900) * 900. GIM partitions fact tables
--                        by this key, so range predicates on it are how a query stays fast.
--   an open (still running) fact has end_ts NULL and active_flag = 1, and its end_date_time_key
--                        is not NULL: it points at a sentinel interval dated in 2025 (GIM's way
--                        of avoiding NULL keys), so a filter on end keys must allow for it.

CREATE TABLE tenant (
  tenant_key      integer PRIMARY KEY,
  tenant_name     varchar(255) NOT NULL,
  tenant_cfg_dbid integer                 -- the Tenant's DBID in the Configuration Server
);

CREATE TABLE media_type (
  media_type_key  integer PRIMARY KEY,
  media_name      varchar(64) NOT NULL,   -- 'Voice', 'Chat', 'E-Mail', ...
  media_name_code varchar(32) NOT NULL,   -- 'VOICE', 'CHAT', 'EMAIL', 'SMS', 'FACEBOOK',
                                          -- 'TWITTER', 'COBROWSE', 'WORKITEM', ...
  is_online       numeric(1)  NOT NULL DEFAULT 1
);

CREATE TABLE resource_ (
  resource_key         integer PRIMARY KEY,
  tenant_key           integer NOT NULL,
  resource_type        varchar(64),
  resource_type_code   varchar(32) NOT NULL,   -- 'AGENT' for agents; 'QUEUE', 'ROUTINGPOINT', ... otherwise
  resource_subtype     varchar(64),
  resource_name        varchar(255),           -- for an agent: the Person's user name
  agent_first_name     varchar(64),
  agent_last_name      varchar(64),
  employee_id          varchar(64),
  switch_name          varchar(255),
  resource_cfg_dbid    integer,                -- for an agent: the Person's DBID in the Configuration Server
  resource_cfg_type_id integer                 -- Configuration Server object type (3 = Person)
);

CREATE TABLE interaction_type (
  interaction_type_key     integer PRIMARY KEY,
  interaction_type         varchar(64),   -- 'Inbound', 'Outbound', 'Internal'
  interaction_type_code    varchar(32),   -- 'INBOUND', 'OUTBOUND', 'INTERNAL'
  interaction_subtype      varchar(64),
  interaction_subtype_code varchar(32)    -- e.g. 'INBOUNDNEW', 'OUTBOUNDCONTACT', 'CALLBACK', ...
);

-- One row per agent login session per media type.
CREATE TABLE sm_res_session_fact (
  sm_res_session_fact_key numeric(19) PRIMARY KEY,
  tenant_key              integer NOT NULL,
  media_type_key          integer NOT NULL,
  resource_key            integer NOT NULL,
  start_date_time_key     integer NOT NULL,
  end_date_time_key       integer NOT NULL,
  start_ts                integer NOT NULL,
  end_ts                  integer,             -- NULL while the session is open
  total_duration          integer,
  active_flag             numeric(1) NOT NULL DEFAULT 0
);
CREATE INDEX sm_res_session_fact_sdt ON sm_res_session_fact (start_date_time_key);

CREATE TABLE interaction_fact (
  interaction_id       numeric(19) PRIMARY KEY,
  tenant_key           integer NOT NULL,
  interaction_type_key integer NOT NULL,
  media_type_key       integer NOT NULL,
  start_date_time_key  integer NOT NULL,
  end_date_time_key    integer,
  start_ts             integer NOT NULL,
  end_ts               integer
);
CREATE INDEX interaction_fact_sdt ON interaction_fact (start_date_time_key);

-- One row per resource's part in one interaction (offered, handled, transferred, ...).
CREATE TABLE interaction_resource_fact (
  interaction_resource_id numeric(19) PRIMARY KEY,
  interaction_id          numeric(19) NOT NULL,
  tenant_key              integer NOT NULL,
  resource_key            integer NOT NULL,
  media_type_key          integer NOT NULL,
  interaction_type_key    integer NOT NULL,
  start_date_time_key     integer NOT NULL,
  start_ts                integer NOT NULL,
  end_ts                  integer,
  talk_count              integer NOT NULL DEFAULT 0,
  customer_handle_count   integer NOT NULL DEFAULT 0   -- > 0: the agent handled the interaction
);
CREATE INDEX interaction_resource_fact_sdt ON interaction_resource_fact (start_date_time_key);
