Feature: OVSDB transact: every operation, and the errors ovsdb-server gives
  RFC 7047 §5.2 operations on the switch's Open_vSwitch database, using
  tables the switch itself never writes (QoS, Queue, Flow_Sample_Collector_Set
  and rows only they reference), so the transcript depends on the server
  alone. The result array has one entry per operation up to the first that
  fails, then null for each operation not run; a commit-time failure adds
  one error after the operations.

  Scenario: insert with uuid-name, select, update, mutate and delete
    Given a switch serving OVSDB
    When the OVSDB client "a" sends:
      """
      {"id": 1, "method": "transact", "params": ["Open_vSwitch",
        {"op": "insert", "table": "Queue", "uuid-name": "q0", "row": {"dscp": 10, "other_config": ["map", [["max-rate", "1000"]]]}},
        {"op": "insert", "table": "QoS", "row": {"type": "linux-htb", "queues": ["map", [[0, ["named-uuid", "q0"]]]]}},
        {"op": "comment", "comment": "two rows"}]}
      {"id": 2, "method": "transact", "params": ["Open_vSwitch",
        {"op": "select", "table": "QoS", "where": [["type", "==", "linux-htb"]], "columns": ["type", "queues", "other_config"]},
        {"op": "select", "table": "Queue", "where": [], "columns": ["_uuid", "dscp", "other_config", "external_ids"]}]}
      {"id": 3, "method": "transact", "params": ["Open_vSwitch",
        {"op": "update", "table": "QoS", "where": [["type", "==", "linux-htb"]], "row": {"other_config": ["map", [["max-rate", "5000"]]], "external_ids": ["map", [["k", "v"]]]}},
        {"op": "update", "table": "QoS", "where": [["type", "==", "nothing"]], "row": {"type": "x"}},
        {"op": "mutate", "table": "Queue", "where": [["dscp", "==", 10]], "mutations": [["dscp", "+=", 5], ["other_config", "insert", ["map", [["min-rate", "10"], ["max-rate", "ignored"]]]], ["external_ids", "insert", ["map", [["a", "1"], ["b", "2"]]]]]},
        {"op": "mutate", "table": "Queue", "where": [["dscp", "==", 15]], "mutations": [["external_ids", "delete", ["set", ["a"]]], ["other_config", "delete", ["map", [["min-rate", "10"], ["max-rate", "999"]]]], ["dscp", "*=", 2]]},
        {"op": "select", "table": "Queue", "where": [["dscp", ">=", 30], ["dscp", "<", 31], ["external_ids", "includes", ["map", [["b", "2"]]]], ["external_ids", "excludes", ["map", [["a", "1"]]]]], "columns": ["dscp", "other_config", "external_ids"]},
        {"op": "select", "table": "QoS", "where": [["other_config", "!=", ["map", []]]], "columns": ["other_config", "external_ids"]}]}
      {"id": 4, "method": "transact", "params": ["Open_vSwitch",
        {"op": "delete", "table": "QoS", "where": [["type", "==", "linux-htb"]]},
        {"op": "delete", "table": "Queue", "where": [["dscp", "!=", 63]]},
        {"op": "select", "table": "Queue", "where": []},
        {"op": "commit", "durable": true}]}
      """
    Then the OVSDB transcript matches golden "crud"

  Scenario: rows named by the UUIDs earlier replies gave, wait, and a transaction that changes nothing
    Given a switch serving OVSDB
    When the OVSDB client "a" sends:
      """
      {"id": 1, "method": "transact", "params": ["Open_vSwitch",
        {"op": "insert", "table": "QoS", "row": {"type": "a"}},
        {"op": "insert", "table": "QoS", "row": {"type": "b"}}]}
      {"id": 2, "method": "transact", "params": ["Open_vSwitch",
        {"op": "update", "table": "QoS", "where": [["_uuid", "==", ["uuid", "<1>"]]], "row": {"type": "b2"}},
        {"op": "wait", "timeout": 0, "table": "QoS", "where": [["_uuid", "==", ["uuid", "<0>"]]], "columns": ["type"], "until": "==", "rows": [{"type": "a"}]},
        {"op": "wait", "timeout": 0, "table": "QoS", "where": [], "columns": ["type"], "until": "!=", "rows": [{"type": "zzz"}]},
        {"op": "select", "table": "QoS", "where": [["_uuid", "!=", ["uuid", "<0>"]]], "columns": ["_uuid", "type"]}]}
      {"id": 3, "method": "transact", "params": ["Open_vSwitch",
        {"op": "update", "table": "QoS", "where": [["type", "==", "a"]], "row": {"type": "a"}},
        {"op": "select", "table": "QoS", "where": [["type", "==", "a"]], "columns": ["_version"]}]}
      {"id": 4, "method": "transact", "params": ["Open_vSwitch"]}
      """
    Then the OVSDB transcript matches golden "uuids-wait"

  Scenario: syntax errors and unknown names
    Given a switch serving OVSDB
    When the OVSDB client "a" sends:
      """
      {"id": 1, "method": "transact", "params": ["Open_vSwitch", {"op": "frobnicate", "table": "QoS"}]}
      {"id": 2, "method": "transact", "params": ["Open_vSwitch", {"op": "select", "table": "No_Such_Table", "where": []}]}
      {"id": 3, "method": "transact", "params": ["Open_vSwitch", {"op": "select", "table": "QoS", "where": [["nope", "==", 1]]}]}
      {"id": 4, "method": "transact", "params": ["Open_vSwitch", {"op": "insert", "table": "QoS", "row": {"type": 5}}]}
      {"id": 5, "method": "transact", "params": ["Open_vSwitch", {"op": "select", "table": "QoS", "where": [["type", "<", "a"]]}]}
      {"id": 6, "method": "transact", "params": ["Open_vSwitch", {"op": "insert", "table": "QoS", "row": {"type": "ok"}}, {"op": "select", "table": "QoS"}]}
      {"id": 7, "method": "transact", "params": ["Open_vSwitch", {"op": "mutate", "table": "QoS", "where": [], "mutations": [["type", "+=", "x"]]}]}
      {"id": 8, "method": "transact", "params": ["Open_vSwitch", {"op": "insert", "table": "QoS", "row": {"_uuid": ["uuid", "<0>"]}}]}
      {"id": 9, "method": "transact", "params": ["Open_vSwitch", {"op": "wait", "table": "QoS", "where": [], "columns": ["type"], "until": "<", "rows": []}]}
      {"id": 10, "method": "transact", "params": ["Open_vSwitch", "not an object"]}
      {"id": 11, "method": "transact", "params": "not an array"}
      """
    And the OVSDB client "a" sends:
      """
      {"id": 12, "method": "transact", "params": ["Open_vSwitch", {"op": "select", "table": "QoS", "where": [], "columns": ["type"]}]}
      """
    Then the OVSDB transcript matches golden "syntax-errors"

  Scenario: constraint violations, referential integrity, duplicate uuid-name, abort, results end at the first failure
    Given a switch serving OVSDB
    When the OVSDB client "a" sends:
      """
      {"id": 1, "method": "transact", "params": ["Open_vSwitch", {"op": "insert", "table": "Queue", "row": {"dscp": 64}}, {"op": "insert", "table": "Queue", "row": {}}]}
      {"id": 2, "method": "transact", "params": ["Open_vSwitch", {"op": "insert", "table": "Queue", "row": {"dscp": ["set", [1, 2]]}}]}
      {"id": 3, "method": "transact", "params": ["Open_vSwitch", {"op": "insert", "table": "Open_vSwitch", "row": {}}]}
      {"id": 4, "method": "transact", "params": ["Open_vSwitch",
        {"op": "insert", "table": "Queue", "uuid-name": "q", "row": {"dscp": 1}},
        {"op": "insert", "table": "QoS", "row": {"type": "x", "queues": ["map", [[1, ["named-uuid", "q"]]]]}}]}
      {"id": 5, "method": "transact", "params": ["Open_vSwitch", {"op": "delete", "table": "Queue", "where": [["dscp", "==", 1]]}]}
      {"id": 6, "method": "transact", "params": ["Open_vSwitch", {"op": "insert", "table": "Queue", "uuid-name": "d", "row": {}}, {"op": "insert", "table": "Queue", "uuid-name": "d", "row": {}}]}
      {"id": 7, "method": "transact", "params": ["Open_vSwitch", {"op": "insert", "table": "QoS", "row": {"type": "y", "queues": ["map", [[1, ["named-uuid", "nobody"]]]]}}]}
      {"id": 8, "method": "transact", "params": ["Open_vSwitch", {"op": "insert", "table": "QoS", "row": {"type": "y", "queues": ["map", [[1, ["uuid", "01234567-89ab-cdef-0123-456789abcdef"]]]]}}]}
      {"id": 9, "method": "transact", "params": ["Open_vSwitch", {"op": "mutate", "table": "Queue", "where": [], "mutations": [["dscp", "+=", 100]]}]}
      {"id": 10, "method": "transact", "params": ["Open_vSwitch", {"op": "mutate", "table": "Open_vSwitch", "where": [], "mutations": [["next_cfg", "/=", 0]]}]}
      {"id": 11, "method": "transact", "params": ["Open_vSwitch", {"op": "insert", "table": "QoS", "row": {"type": "z"}}, {"op": "abort"}, {"op": "insert", "table": "QoS", "row": {"type": "never"}}]}
      {"id": 12, "method": "transact", "params": ["Open_vSwitch", {"op": "wait", "timeout": 0, "table": "QoS", "where": [], "columns": ["type"], "until": "==", "rows": []}, {"op": "comment", "comment": "not reached"}]}
      {"id": 13, "method": "transact", "params": ["Open_vSwitch", {"op": "assert", "lock": "some_lock"}]}
      {"id": 14, "method": "transact", "params": ["Open_vSwitch", {"op": "delete", "table": "QoS", "where": [["type", "==", "nothing"]]}, {"op": "delete", "table": "Queue", "where": [["dscp", "!=", 99]]}, {"op": "comment", "comment": "not reached"}]}
      {"id": 15, "method": "transact", "params": ["Open_vSwitch", {"op": "select", "table": "QoS", "where": [], "columns": ["type"]}, {"op": "select", "table": "Queue", "where": [], "columns": ["dscp"]}]}
      """
    Then the OVSDB transcript matches golden "errors"

  Scenario: garbage collection of non-root rows, weak references, indexes and immutable columns
    Given a switch serving OVSDB
    When the OVSDB client "a" sends:
      """
      {"id": 1, "method": "transact", "params": ["Open_vSwitch",
        {"op": "insert", "table": "Flow_Table", "row": {"name": "orphan"}},
        {"op": "insert", "table": "Interface", "uuid-name": "i1", "row": {"name": "gc-i1"}},
        {"op": "insert", "table": "Port", "uuid-name": "p1", "row": {"name": "gc-p1", "interfaces": ["named-uuid", "i1"]}},
        {"op": "insert", "table": "Mirror", "uuid-name": "m1", "row": {"name": "m1", "select_src_port": ["named-uuid", "p1"], "output_port": ["named-uuid", "p1"]}},
        {"op": "insert", "table": "Bridge", "uuid-name": "b1", "row": {"name": "gc-br", "ports": ["named-uuid", "p1"], "mirrors": ["named-uuid", "m1"]}},
        {"op": "insert", "table": "Flow_Sample_Collector_Set", "row": {"id": 1, "bridge": ["named-uuid", "b1"]}}]}
      {"id": 2, "method": "transact", "params": ["Open_vSwitch",
        {"op": "select", "table": "Flow_Table", "where": []},
        {"op": "select", "table": "Mirror", "where": [], "columns": ["name", "select_src_port", "output_port"]},
        {"op": "select", "table": "Port", "where": [], "columns": ["name"]}]}
      {"id": 3, "method": "transact", "params": ["Open_vSwitch",
        {"op": "update", "table": "Bridge", "where": [["name", "==", "gc-br"]], "row": {"ports": ["set", []]}},
        {"op": "select", "table": "Port", "where": [], "columns": ["name"]},
        {"op": "select", "table": "Mirror", "where": [], "columns": ["name", "select_src_port", "output_port"]}]}
      {"id": 4, "method": "transact", "params": ["Open_vSwitch",
        {"op": "select", "table": "Port", "where": [], "columns": ["name"]},
        {"op": "select", "table": "Interface", "where": [], "columns": ["name"]},
        {"op": "select", "table": "Mirror", "where": [], "columns": ["name", "select_src_port", "output_port"]}]}
      {"id": 5, "method": "transact", "params": ["Open_vSwitch",
        {"op": "insert", "table": "Flow_Sample_Collector_Set", "row": {"id": 1, "bridge": ["uuid", "<4>"]}}]}
      {"id": 6, "method": "transact", "params": ["Open_vSwitch",
        {"op": "update", "table": "Bridge", "where": [], "row": {"name": "renamed"}}]}
      {"id": 7, "method": "transact", "params": ["Open_vSwitch",
        {"op": "insert", "table": "Bridge", "uuid-name": "b2", "row": {"name": "gc-br"}},
        {"op": "insert", "table": "Flow_Sample_Collector_Set", "row": {"id": 2, "bridge": ["named-uuid", "b2"]}}]}
      {"id": 8, "method": "transact", "params": ["Open_vSwitch",
        {"op": "delete", "table": "Flow_Sample_Collector_Set", "where": []},
        {"op": "select", "table": "Bridge", "where": [], "columns": ["name"]}]}
      {"id": 9, "method": "transact", "params": ["Open_vSwitch",
        {"op": "select", "table": "Bridge", "where": [], "columns": ["name"]},
        {"op": "select", "table": "Mirror", "where": [], "columns": ["name"]}]}
      """
    Then the OVSDB transcript matches golden "gc-weak-index"
