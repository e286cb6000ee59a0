using Push.Core.Delivery;
using Push.Functions.Settlement;
using Push.Hosting.Queues;

namespace Push.Functions.ManageDevices;

/// <summary>Triggered by the devices queue (<c>push-devices</c>): device registrations and unregistrations.</summary>
public sealed class ManageDevicesFunction : IQueueTriggeredFunction
{
    public const string Name = "ManageDevices";

    private readonly QueueDelivery _delivery;

    public ManageDevicesFunction(QueueDelivery delivery) => _delivery = delivery;

    public Task<QueueSettlement> RunAsync(QueueTriggerMessage message, CancellationToken cancellationToken) =>
        _delivery.RunAsync(message, EventRoute.Devices, cancellationToken);
}
