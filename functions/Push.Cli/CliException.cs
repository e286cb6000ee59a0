namespace Push.Cli;

/// <summary>A problem the user can fix (a missing setting, a bad option): printed without a stack trace, exit code 2.</summary>
public sealed class CliException(string message) : Exception(message)
{
    /// <summary>
    /// A contract or validation error said as the user's problem: the message without .NET's
    /// <c>(Parameter 'evt')</c> tail, which names our code's parameter, not anything the user typed.
    /// </summary>
    public static CliException From(ArgumentException ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var message = ex.Message;
        var tail = $" (Parameter '{ex.ParamName}')";
        if (ex.ParamName is not null && message.EndsWith(tail, StringComparison.Ordinal))
        {
            message = message[..^tail.Length];
        }
        return new CliException(message);
    }
}
