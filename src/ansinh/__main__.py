from ansinh.cli import main

raise SystemExit(main())
