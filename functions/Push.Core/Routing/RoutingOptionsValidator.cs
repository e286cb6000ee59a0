using Microsoft.Extensions.Options;

namespace Push.Core.Routing;

/// <summary>Checks <see cref="RoutingOptions"/> at start; each failure names its setting, never its value.</summary>
public sealed class RoutingOptionsValidator : IValidateOptions<RoutingOptions>
{
    public ValidateOptionsResult Validate(string? name, RoutingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string s = RoutingOptions.SectionName;
        var failures = new List<string>();
        if (options.TryDecodeHashKey() is null)
        {
            failures.Add($"{s}:{nameof(options.ConversationHashKey)} must be base64 of at least {RoutingOptions.MinConversationHashKeyBytes} random bytes.");
        }
        if (options.MessageTimeToLive < TimeSpan.FromSeconds(1) || options.MessageTimeToLive > TimeSpan.FromDays(28))
        {
            failures.Add($"{s}:{nameof(options.MessageTimeToLive)} must be between 1 second and 28 days (FCM's limit).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
