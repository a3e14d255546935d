Feature: OVSDB methods other than transact
  The switch's OVSDB server speaks JSON-RPC 1.0 (RFC 7047 §4.1) on a unix
  socket: `echo`, `list_dbs`, `get_schema`, and errors for an unknown
  method or database, as Open vSwitch 3.1's ovsdb-server answers them.
  Transcripts are recorded from ovsdb-server; UUIDs are labelled `<N>`.

  Scenario: echo, list_dbs and an unknown method
    Given a switch serving OVSDB
    When the OVSDB client "a" sends:
      """
      {"id": 1, "method": "echo", "params": ["hello", 42, {"x": [1, 2]}]}
      {"id": "two", "method": "list_dbs", "params": []}
      {"id": 3, "method": "no_such_method", "params": []}
      """
    Then the OVSDB transcript matches golden "echo-list-dbs"

  Scenario: get_schema of the switch's database, and of a database that does not exist
    Given a switch serving OVSDB
    When the OVSDB client "a" sends:
      """
      {"id": 1, "method": "get_schema", "params": ["Open_vSwitch"]}
      {"id": 2, "method": "get_schema", "params": ["No_Such_DB"]}
      {"id": 3, "method": "transact", "params": ["No_Such_DB", {"op": "comment", "comment": "x"}]}
      """
    Then the OVSDB transcript matches golden "get-schema"

  Scenario: the _Server database describes the switch's database, as ovs-vsctl and ovs-vswitchd expect
    Given a switch serving OVSDB
    When the OVSDB client "a" sends:
      """
      {"id": 1, "method": "transact", "params": ["_Server", {"op": "select", "table": "Database", "where": [], "columns": ["name", "model", "connected", "leader", "cid", "sid", "index"]}]}
      {"id": 2, "method": "monitor_cond", "params": ["_Server", "s", {"Database": [{"columns": ["name", "model", "connected", "leader"]}]}]}
      {"id": 3, "method": "get_server_id", "params": []}
      {"id": 4, "method": "set_db_change_aware", "params": [true]}
      {"id": 5, "method": "transact", "params": ["_Server", {"op": "insert", "table": "Database", "row": {"name": "x", "model": "standalone"}}]}
      """
    Then the OVSDB transcript matches golden "server-db"
