from storyline.serve.cli import main

main()
