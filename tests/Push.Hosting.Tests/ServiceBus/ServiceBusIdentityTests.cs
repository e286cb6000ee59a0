using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Push.Hosting.ServiceBus;
using Push.Hosting.Tests.Infrastructure;

namespace Push.Hosting.Tests.ServiceBus;

/// <summary>
/// The identity-based connection (<c>AzureWebJobsServiceBus__fullyQualifiedNamespace</c>, as Functions reads it): no
/// key anywhere; CBS puts an Entra ID access token as a JWT. Checked against the protocol peer with a fake credential;
/// a real namespace and a real identity are not available here.
/// </summary>
public sealed class ServiceBusIdentityTests
{
    private sealed class FakeCredential : TokenCredential
    {
        public const string Token = "eyJfake.entra.token";
        public List<string[]> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (Scopes) Scopes.Add(requestContext.Scopes);
            return new AccessToken(Token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(GetToken(requestContext, cancellationToken));
    }

    [Fact]
    public async Task An_identity_based_connection_puts_an_entra_id_token_on_cbs_and_receives()
    {
        var queue = "q" + Guid.NewGuid().ToString("N")[..8];
        await using var peer = new ServiceBusTestPeer(queue);
        var credential = new FakeCredential();
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsServiceBus:fullyQualifiedNamespace"] = $"127.0.0.1:{peer.Port}",
            ["AzureWebJobsServiceBus:transportType"] = "amqp",
            ["AzureFunctionsJobHost:extensions:serviceBus:maxConcurrentCalls"] = "2",
        };
        var probe = new ServiceBusProbe();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(probe);
        builder.Services.AddSingleton(new ServiceBusSettings(builder.Configuration, credential));
        builder.Services.AddServiceBusQueues(builder.Configuration);
        builder.Services.AddServiceBusTrigger<ServiceBusProbeFunction>("probe", queue);
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            peer.Enqueue("m-1", "{}"u8.ToArray());
            await Eventually.WaitAsync(() => peer.Dispositions.Count >= 1, "the message to be settled", TimeSpan.FromSeconds(10));
        }
        finally
        {
            await host.StopAsync();
        }

        var request = Assert.Single(peer.CbsRequests.Take(1));
        Assert.Equal("put-token", request.ApplicationProperties["operation"]);
        Assert.Equal("jwt", request.ApplicationProperties["type"]);
        Assert.Equal($"sb://127.0.0.1/{queue}", request.ApplicationProperties["name"]);
        Assert.Equal(FakeCredential.Token, request.Body);
        Assert.Contains(credential.Scopes, s => s.SequenceEqual(["https://servicebus.azure.net/.default"]));
    }

    [Fact]
    public void Neither_a_connection_string_nor_a_namespace_is_named_in_the_error()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>()).Build();
        var error = Assert.Throws<InvalidOperationException>(() => ServiceBusConnectionString.Read(configuration));
        Assert.Contains("AzureWebJobsServiceBus__fullyQualifiedNamespace", error.Message, StringComparison.Ordinal);
    }
}
