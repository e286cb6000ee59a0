using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;
using Push.Core.ServiceBus;

namespace Push.Functions.Tests;

/// <summary>
/// The worker's Service Bus connection settings, read as the Functions Service Bus trigger reads them: a bad value fails
/// naming the setting, and never quotes it (a connection string holds the key).
/// </summary>
public sealed class ServiceBusConnectionSettingTests
{
    private const string Key = "c2VjcmV0LWtleS1ub3QtdG8tYmUtcHJpbnRlZA==";

    private static ServiceBusClient Create(params (string Name, string Value)[] settings) => ServiceBusConnectionSetting.CreateClient(
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Name, (string?)s.Value))).Build(),
        new ServiceBusClientOptions());

    [Theory]
    [InlineData("AzureWebJobsServiceBus", $"SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={Key}")]
    [InlineData("AzureWebJobsServiceBus", $"Endpoint=not a uri;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={Key}")]
    [InlineData("AzureWebJobsServiceBus", "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey")]
    [InlineData("AzureWebJobsServiceBus", $"{Key}")]
    [InlineData("ServiceBusConnection", $"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKey={Key}")]
    public void A_malformed_connection_string_fails_naming_the_setting_and_never_quoting_the_key(string name, string value)
    {
        var failure = Assert.Throws<InvalidOperationException>(() => Create((name, value)));

        Assert.Contains($"'{name}'", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, failure.ToString(), StringComparison.Ordinal);
        Assert.Null(failure.InnerException);
    }

    [Theory]
    [InlineData("not a host name!")]
    [InlineData("ns.servicebus.windows.net/queue")]
    [InlineData("ns.servicebus.windows.net:5671")]
    [InlineData("sb://")]
    public void A_malformed_namespace_fails_naming_the_setting(string value)
    {
        var failure = Assert.Throws<InvalidOperationException>(() => Create(("AzureWebJobsServiceBus:fullyQualifiedNamespace", value)));

        Assert.Contains("AzureWebJobsServiceBus__fullyQualifiedNamespace", failure.Message, StringComparison.Ordinal);
        Assert.Contains("<namespace>.servicebus.windows.net", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ns.servicebus.windows.net")]
    [InlineData("sb://ns.servicebus.windows.net/")]
    [InlineData("https://ns.servicebus.windows.net")]
    public async Task A_namespace_host_name_or_its_endpoint_uri_is_accepted(string value)
    {
        await using var client = Create(("AzureWebJobsServiceBus:fullyQualifiedNamespace", value));

        Assert.Equal("ns.servicebus.windows.net", client.FullyQualifiedNamespace);
    }

    [Fact]
    public void No_connection_at_all_names_both_ways_to_give_one()
    {
        var failure = Assert.Throws<InvalidOperationException>(() => Create());

        Assert.Contains("'AzureWebJobsServiceBus'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("AzureWebJobsServiceBus__fullyQualifiedNamespace", failure.Message, StringComparison.Ordinal);
    }
}
