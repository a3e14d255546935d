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
