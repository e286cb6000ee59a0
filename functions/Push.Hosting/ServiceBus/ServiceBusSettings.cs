using Microsoft.Extensions.Configuration;

namespace Push.Hosting.ServiceBus;

/// <summary>The configuration the Service Bus runtime reads at start (registered by <c>AddServiceBusQueues</c>).</summary>
internal sealed record ServiceBusSettings(IConfiguration Configuration);
