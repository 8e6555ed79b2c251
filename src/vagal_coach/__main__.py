from vagal_coach.cli import main

raise SystemExit(main())
