namespace Push.Cli;

/// <summary>A problem the user can fix (a missing setting, a bad option): printed without a stack trace, exit code 2.</summary>
public sealed class CliException(string message) : Exception(message);
