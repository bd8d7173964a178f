"""The programme's rules, each in one module that services, CLI and screens all read.

- `lifecycle`: account statuses, the moves between them, who counts as a member;
- `permissions`: who may do what (`may` / `require`);
- `clock`: the one "today";
- `limits`: field lengths and patterns;
- `programme`: the programme settings in force (cap, threshold, cadences, CLV inputs).

Nothing here imports `kam.figures`, `kam.services`, `kam.cli` or `screens`.
"""
