namespace Push.Cli;

/// <summary>A problem the user can fix (a missing setting, a bad option): printed without a stack trace, exit code 2.</summary>
public sealed class CliException : Exception
{
    public CliException(string message)
        : base(message)
    {
    }

    /// <param name="cause">Kept for <c>--verbose</c>; its message is not shown otherwise.</param>
    public CliException(string message, Exception cause)
        : base(message, cause)
    {
    }

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
        return new CliException(message, ex);
    }

    /// <summary>The exception and everything it wraps, aggregates included (the SDKs' retries aggregate their failures).</summary>
    public static IEnumerable<Exception> Chain(Exception exception)
    {
        var pending = new Stack<Exception>();
        pending.Push(exception);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            yield return current;
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions) pending.Push(inner);
            }
            else if (current.InnerException is { } inner)
            {
                pending.Push(inner);
            }
        }
    }
}
