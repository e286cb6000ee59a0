using Microsoft.Extensions.Options;
using Push.Core.Storage;
using Push.Core.StorageQueues;

namespace Push.Core.Queues;

/// <summary>
/// Every queue name must suit both transports: a Storage queue name (3-63 lower-case letters, digits and single hyphens)
/// with room for <c>-poison</c>, which Service Bus accepts as an entity name too.
/// </summary>
public sealed class QueueNamesValidator : IValidateOptions<QueueNames>
{
    public const int MaxLength = 63 - 7; // "-poison"

    public static bool IsValidName(string? name) => StorageNames.IsQueueOrContainerName(name, MaxLength);

    public ValidateOptionsResult Validate(string? name, QueueNames options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Check(options.Calls, nameof(options.Calls));
        Check(options.Messages, nameof(options.Messages));
        Check(options.Devices, nameof(options.Devices));
        if (options.All.Distinct(StringComparer.Ordinal).Count() != 3)
        {
            failures.Add($"{QueueNames.SectionName}:Calls, :Messages and :Devices must name three different queues.");
        }
        if (!Enum.IsDefined(options.Transport))
        {
            failures.Add($"{QueueNames.SectionName}:Transport must be StorageQueues or ServiceBus.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Check(string value, string key)
        {
            if (!IsValidName(value))
            {
                failures.Add($"{QueueNames.SectionName}:{key} must be a queue name of 3-{MaxLength} lower-case letters, digits and single hyphens " +
                             $"(starting and ending with a letter or digit; {PoisonQueueName.Suffix.Length} more characters are kept for '{PoisonQueueName.Suffix}').");
            }
        }
    }
}
