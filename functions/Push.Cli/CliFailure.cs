using Azure;
using Azure.Identity;
using Microsoft.Extensions.Options;

namespace Push.Cli;

/// <summary>
/// What the CLI prints when a command fails: one line that says what went wrong and what to do, and an
/// exit code; the stack trace only with <c>--verbose</c>.
/// </summary>
internal static class CliFailure
{
    /// <summary>Something the user can fix: a bad argument or setting, an event the contract refuses, Storage not running.</summary>
    public const int UserError = 2;

    /// <summary>Storage or Entra ID answered, and refused.</summary>
    public const int Refused = 3;

    public const int Unexpected = 1;

    public const int Cancelled = 130;

    public static (string Message, int ExitCode) Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var (message, exitCode) = exception switch
        {
            CliException => (exception.Message, UserError),
            OptionsValidationException => (exception.Message, UserError),
            ArgumentException argument => (CliException.From(argument).Message, UserError),
            OperationCanceledException => ("cancelled", Cancelled),
            RequestFailedException refused => (
                $"the Storage account refused the request ({refused.Status} {refused.ErrorCode}): check {CliContext.StorageSetting} (account, key or identity)",
                Refused),
            AuthenticationFailedException => (
                $"no Entra ID token for the Storage account ({exception.GetType().Name}): sign in (az login), or set {CliContext.StorageSetting} to a connection string",
                Refused),
            _ => ($"unexpected {exception.GetType().Name}: {exception.Message} (run again with --verbose for the stack trace)", Unexpected),
        };
        return (FirstLine(message), exitCode);
    }

    private static string FirstLine(string text)
    {
        var end = text.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? text : text[..end];
    }
}
