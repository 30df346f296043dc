from storyline.serve.cli import main

if __name__ == "__main__":  # worker processes re-import the main module; do not run the CLI again there
    main()
