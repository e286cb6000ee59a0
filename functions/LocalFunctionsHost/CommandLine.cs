namespace LocalFunctionsHost;

/// <summary>The host's command line, like <c>func start --script-root</c>.</summary>
internal static class CommandLine
{
    public const string Usage = "usage: LocalFunctionsHost [--script-root <app folder>]   (default: the current directory)";

    /// <summary>False with <paramref name="error"/> null for --help, or with the error for a bad command line.</summary>
    public static bool TryParse(string[] args, out string scriptRoot, out string? error)
    {
        scriptRoot = Directory.GetCurrentDirectory();
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--script-root" when i + 1 < args.Length:
                    scriptRoot = args[++i];
                    break;
                case "--script-root":
                    error = "--script-root needs a folder";
                    return false;
                case "-h" or "--help":
                    return false;
                default:
                    error = $"unknown argument '{args[i]}'";
                    return false;
            }
        }
        return true;
    }
}
