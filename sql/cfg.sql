-- BDS's copy of the reference schema of the cfg source (PostgreSQL). Loaded by `bds demo`,
-- `bds seed` and the integration tests; the product's queries run against these tables.

-- Column names follow the cfg_* tables of the Configuration Server database. Config DB keeps only
-- the current configuration: a deleted object is gone, so a value read from it is a snapshot
-- taken at the moment of extraction.
--
-- Enumerations:
--   state        1 = enabled, 2 = disabled
--   is_agent     2 = the Person is an agent, 1 = it is not (CfgFlag)
--   object_type  (cfg_flex_prop) 2 = DN, 3 = Person, 5 = Agent Group, 15 = Agent Login
--   cfg_group.type  1 = Agent Group
-- The Person with dbid 100 is the built-in default administrator.

CREATE TABLE cfg_tenant (
  dbid  integer PRIMARY KEY,
  name  varchar(255) NOT NULL,
  state integer NOT NULL DEFAULT 1
);

CREATE TABLE cfg_switch (
  dbid        integer PRIMARY KEY,
  tenant_dbid integer NOT NULL,
  name        varchar(255) NOT NULL,
  type        integer,
  state       integer NOT NULL DEFAULT 1
);

CREATE TABLE cfg_person (
  dbid        integer PRIMARY KEY,
  tenant_dbid integer NOT NULL,
  user_name   varchar(255) NOT NULL,
  first_name  varchar(64),
  last_name   varchar(64),
  employee_id varchar(64) NOT NULL,
  is_agent    integer NOT NULL,
  state       integer NOT NULL DEFAULT 1
);

CREATE TABLE cfg_agent_login (
  dbid        integer PRIMARY KEY,
  switch_dbid integer NOT NULL,
  tenant_dbid integer NOT NULL,
  login_code  varchar(255) NOT NULL,
  state       integer NOT NULL DEFAULT 1
);

-- Which Agent Logins a Person (agent) may use.
CREATE TABLE cfg_login_info (
  person_dbid      integer NOT NULL,
  agent_login_dbid integer NOT NULL,
  wrapup_time      integer DEFAULT 0,
  PRIMARY KEY (person_dbid, agent_login_dbid)
);

CREATE TABLE cfg_dn (
  dbid        integer PRIMARY KEY,
  switch_dbid integer NOT NULL,
  tenant_dbid integer NOT NULL,
  type        integer NOT NULL,        -- 1 Extension, 2 ACD Position, 3 ACD Queue, 4 Routing Point, ...
  number_     varchar(255) NOT NULL,
  state       integer NOT NULL DEFAULT 1
);

CREATE TABLE cfg_group (
  dbid        integer PRIMARY KEY,
  tenant_dbid integer NOT NULL,
  name        varchar(255) NOT NULL,
  type        integer NOT NULL,        -- 1 = Agent Group
  state       integer NOT NULL DEFAULT 1
);

-- Annex options: a two-level tree per object. A section row has parent_dbid = 0 and the section's
-- name in prop_name; an option row has parent_dbid = the dbid of its section row, the option's
-- name in prop_name and its value in prop_value. Both rows carry the owning object.
-- A SIP voicemail box is the option 'gvm_mailbox' (value: the mailbox number) in the section
-- 'TServer' of a DN, an Agent Login or an Agent Group.
CREATE TABLE cfg_flex_prop (
  dbid        integer PRIMARY KEY,
  object_dbid integer NOT NULL,
  object_type integer NOT NULL,
  parent_dbid integer NOT NULL DEFAULT 0,
  prop_type   integer,
  prop_name   varchar(255) NOT NULL,
  prop_value  varchar(4000)
);
