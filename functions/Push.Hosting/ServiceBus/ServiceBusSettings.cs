using Azure.Core;
using Microsoft.Extensions.Configuration;

namespace Push.Hosting.ServiceBus;

/// <summary>The configuration the Service Bus runtime reads at start (registered by <c>AddServiceBusQueues</c>).</summary>
/// <param name="Credential">For an identity-based connection, a credential to use instead of the one the settings describe.</param>
internal sealed record ServiceBusSettings(IConfiguration Configuration, TokenCredential? Credential = null);
