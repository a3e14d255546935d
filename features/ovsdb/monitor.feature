Feature: OVSDB monitors: monitor (update) and monitor_cond (update2)
  A client's monitors report every committed change to the rows and
  columns it watches (RFC 7047 §4.1.5 and Open vSwitch's monitor_cond with
  conditions and diffs). ovsdb-server sends the update caused by a client's
  own transaction before the transaction's reply; the transcript checks
  that order, the initial contents, the select options, condition changes
  and cancellation.

  Scenario: monitor and monitor_cond follow inserts, updates and deletes made by another client
    Given a switch serving OVSDB
    When the OVSDB client "a" sends:
      """
      {"id": 1, "method": "transact", "params": ["Open_vSwitch", {"op": "insert", "table": "QoS", "row": {"type": "before", "other_config": ["map", [["k", "1"]]]}}]}
      {"id": 2, "method": "monitor", "params": ["Open_vSwitch", "m1", {"QoS": {"columns": ["type", "other_config"]}}]}
      {"id": 3, "method": "monitor_cond", "params": ["Open_vSwitch", "m2", {"QoS": [{"columns": ["type", "external_ids", "queues"], "where": [["type", "!=", "hidden"]]}]}]}
      {"id": 4, "method": "monitor", "params": ["Open_vSwitch", ["m", 3], {"Queue": [{"select": {"initial": false, "modify": false}}]}]}
      """
    And the OVSDB client "b" sends:
      """
      {"id": 1, "method": "transact", "params": ["Open_vSwitch", {"op": "insert", "table": "QoS", "row": {"type": "new"}}]}
      {"id": 2, "method": "transact", "params": ["Open_vSwitch", {"op": "update", "table": "QoS", "where": [["type", "==", "new"]], "row": {"other_config": ["map", [["a", "1"], ["b", "2"]]]}}]}
      {"id": 3, "method": "transact", "params": ["Open_vSwitch", {"op": "mutate", "table": "QoS", "where": [["type", "==", "new"]], "mutations": [["external_ids", "insert", ["map", [["x", "y"]]]], ["other_config", "delete", ["set", ["a"]]]]}]}
      {"id": 4, "method": "transact", "params": ["Open_vSwitch", {"op": "insert", "table": "QoS", "row": {"type": "hidden"}}]}
      {"id": 5, "method": "transact", "params": ["Open_vSwitch", {"op": "update", "table": "QoS", "where": [["type", "==", "hidden"]], "row": {"type": "shown"}}]}
      {"id": 6, "method": "transact", "params": ["Open_vSwitch",
        {"op": "insert", "table": "Queue", "uuid-name": "q", "row": {"dscp": 7}},
        {"op": "update", "table": "QoS", "where": [["type", "==", "shown"]], "row": {"queues": ["map", [[5, ["named-uuid", "q"]]]]}}]}
      {"id": 7, "method": "transact", "params": ["Open_vSwitch", {"op": "delete", "table": "QoS", "where": [["type", "==", "before"]]}]}
      """
    Then the OVSDB transcript matches golden "follow-changes"

  Scenario: a client's own change comes before its reply; condition change and cancel
    Given a switch serving OVSDB
    When the OVSDB client "a" sends:
      """
      {"id": 1, "method": "transact", "params": ["Open_vSwitch", {"op": "insert", "table": "QoS", "row": {"type": "one"}}, {"op": "insert", "table": "QoS", "row": {"type": "two"}}]}
      {"id": 2, "method": "monitor_cond", "params": ["Open_vSwitch", "c", {"QoS": [{"columns": ["type"], "where": [["type", "==", "one"]]}]}]}
      {"id": 3, "method": "monitor", "params": ["Open_vSwitch", "p", {"QoS": {"columns": ["type"]}}]}
      {"id": 4, "method": "transact", "params": ["Open_vSwitch", {"op": "update", "table": "QoS", "where": [["type", "==", "one"]], "row": {"type": "uno"}}]}
      {"id": 5, "method": "monitor_cond_change", "params": ["c", "c", {"QoS": [{"where": [["type", "==", "two"]]}]}]}
      {"id": 6, "method": "monitor_cancel", "params": ["p"]}
      {"id": 7, "method": "transact", "params": ["Open_vSwitch", {"op": "update", "table": "QoS", "where": [], "row": {"type": "three"}}]}
      {"id": 8, "method": "monitor_cancel", "params": ["nope"]}
      {"id": 9, "method": "monitor", "params": ["Open_vSwitch", "c", {"QoS": {"columns": ["type"]}}]}
      {"id": 10, "method": "monitor", "params": ["Open_vSwitch", "bad", {"No_Such_Table": {}}]}
      {"id": 11, "method": "monitor", "params": ["Open_vSwitch", "bad2", {"QoS": {"columns": ["nope"]}}]}
      {"id": 12, "method": "monitor_cond_change", "params": ["zzz", "zzz", {}]}
      """
    Then the OVSDB transcript matches golden "own-change-cancel"
