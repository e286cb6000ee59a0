using System.ComponentModel.DataAnnotations;

namespace Push.Functions.Composition;

/// <summary>Configuration section "Queues": which queue each function listens to.</summary>
public sealed class QueueNames
{
    public const string SectionName = "Queues";

    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,54}[a-z0-9]$", ErrorMessage = "Queues:Calls must be a Storage queue name (3-56 lower-case letters, digits, single hyphens; 7 characters are kept for '-poison').")]
    public string Calls { get; set; } = "push-calls";

    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,54}[a-z0-9]$", ErrorMessage = "Queues:Messages must be a Storage queue name (3-56 lower-case letters, digits, single hyphens).")]
    public string Messages { get; set; } = "push-messages";

    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,54}[a-z0-9]$", ErrorMessage = "Queues:Devices must be a Storage queue name (3-56 lower-case letters, digits, single hyphens).")]
    public string Devices { get; set; } = "push-devices";
}
