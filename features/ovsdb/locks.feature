Feature: OVSDB locks
  `lock`, `steal` and `unlock` (RFC 7047 §4.1.8-10) with the `locked` and
  `stolen` notifications, the `assert` operation that needs the lock, and
  the lock passing on when its owner disconnects.

  Scenario: lock, wait, steal, unlock and disconnect
    Given a switch serving OVSDB
    When the OVSDB client "a" sends:
      """
      {"id": 1, "method": "lock", "params": ["L"]}
      {"id": 2, "method": "transact", "params": ["Open_vSwitch", {"op": "assert", "lock": "L"}, {"op": "comment", "comment": "a holds L"}]}
      """
    And the OVSDB client "b" sends:
      """
      {"id": 1, "method": "lock", "params": ["L"]}
      {"id": 2, "method": "transact", "params": ["Open_vSwitch", {"op": "assert", "lock": "L"}]}
      {"id": 3, "method": "lock", "params": ["L"]}
      """
    And the OVSDB client "c" sends:
      """
      {"id": 1, "method": "steal", "params": ["L"]}
      {"id": 2, "method": "transact", "params": ["Open_vSwitch", {"op": "assert", "lock": "L"}]}
      """
    And the OVSDB client "a" sends:
      """
      {"id": 3, "method": "transact", "params": ["Open_vSwitch", {"op": "assert", "lock": "L"}]}
      {"id": 4, "method": "unlock", "params": ["L"]}
      {"id": 5, "method": "lock", "params": ["L"]}
      """
    And the OVSDB client "c" sends:
      """
      {"id": 3, "method": "unlock", "params": ["L"]}
      """
    And the OVSDB client "b" disconnects
    And the OVSDB client "a" waits for a notification
    And the OVSDB client "a" sends:
      """
      {"id": 6, "method": "unlock", "params": ["not-held"]}
      {"id": 7, "method": "lock", "params": [5]}
      {"id": 8, "method": "lock", "params": []}
      """
    Then the OVSDB transcript matches golden "lock-steal-unlock"

  Scenario: a wait with a timeout blocks until another client's change satisfies it, times out, or is cancelled
    `cancel` is a notification (id null); sent as a request it is an unknown
    method. The time in "timed out after N ms" is the wait's real duration,
    so the transcript shows it as `<ms>`.
    Given a switch serving OVSDB
    When the OVSDB client "b" sends without waiting:
      """
      {"id": 1, "method": "transact", "params": ["Open_vSwitch", {"op": "wait", "timeout": 60000, "table": "QoS", "where": [["type", "==", "go"]], "columns": ["type"], "until": "==", "rows": [{"type": "go"}]}, {"op": "select", "table": "QoS", "where": [], "columns": ["type"]}]}
      """
    And the OVSDB client "a" sends:
      """
      {"id": 1, "method": "transact", "params": ["Open_vSwitch", {"op": "insert", "table": "QoS", "row": {"type": "not yet"}}]}
      {"id": 2, "method": "transact", "params": ["Open_vSwitch", {"op": "insert", "table": "QoS", "row": {"type": "go"}}]}
      """
    And the OVSDB client "b" sends:
      """
      {"id": 2, "method": "transact", "params": ["Open_vSwitch", {"op": "wait", "timeout": 1, "table": "QoS", "where": [["type", "==", "never"]], "columns": ["type"], "until": "==", "rows": [{"type": "never"}]}]}
      {"id": 3, "method": "cancel", "params": [2]}
      """
    And the OVSDB client "b" sends without waiting:
      """
      {"id": 4, "method": "transact", "params": ["Open_vSwitch", {"op": "wait", "timeout": 60000, "table": "QoS", "where": [], "columns": ["type"], "until": "==", "rows": []}]}
      {"id": null, "method": "cancel", "params": [4]}
      """
    Then the OVSDB transcript matches golden "wait-blocks"
