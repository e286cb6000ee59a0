using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Functions.Composition;
using Push.Functions.DeliverCall;
using Push.Functions.DeliverMessage;
using Push.Functions.ManageDevices;
using Push.Functions.ProcessDeadLetters;
using Push.Functions.RefreshProviderTokens;
using Push.Sandbox;

namespace Push.Functions.Tests;

/// <summary>
/// The worker's composition with the settings an operator gives: every function class can be built from it, and the
/// options it validates at start accept a good configuration and name the key of a bad one.
/// </summary>
public sealed class CompositionTests : IAsyncLifetime
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "push-composition-" + Guid.NewGuid().ToString("N")[..8]);
    private SandboxServer? _sandbox;

    public async Task InitializeAsync() =>
        _sandbox = await SandboxServer.StartAsync(new SandboxOptions { StateDirectory = _state, GenerateCredentials = true });

    public async Task DisposeAsync()
    {
        if (_sandbox is not null) await _sandbox.DisposeAsync();
        try { Directory.Delete(_state, recursive: true); } catch (IOException) { }
    }

    private Dictionary<string, string?> Settings()
    {
        var credentials = _sandbox!.GeneratedCredentials!;
        return new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["Apns:Endpoint"] = _sandbox.ApnsEndpoint.ToString(),
            ["Apns:TeamId"] = credentials.TeamId,
            ["Apns:KeyId"] = credentials.KeyId,
            ["Apns:PrivateKeyPath"] = credentials.ApnsKeyPath,
            ["Fcm:Endpoint"] = _sandbox.FcmEndpoint.ToString(),
            ["Fcm:ServiceAccountPath"] = credentials.ServiceAccountPath,
            ["Registry:KeyEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Registry:KeyEncryptionKeyId"] = "test",
            ["Routing:ConversationHashKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddPushRelay(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public void Every_function_class_is_built_from_the_composition_and_the_settings_validate()
    {
        using var provider = Build(Settings());
        provider.GetRequiredService<IStartupValidator>().Validate();

        Assert.NotNull(ActivatorUtilities.CreateInstance<DeliverCallFunction>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<DeliverMessageFunction>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<ManageDevicesFunction>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<RefreshProviderTokensFunction>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<ProcessDeadLettersFunction>(provider));
    }

    [Theory]
    [InlineData("Queues:Calls", "Push_Calls", "Queues:Calls")]
    [InlineData("Queues:Messages", "push-calls", "three different queues")]
    [InlineData("Delivery:RetryBudget", "8.00:00:00", "Delivery:RetryBudget")]
    [InlineData("Routing:ConversationHashKey", "c2hvcnQ=", "Routing:ConversationHashKey")]
    public void A_bad_setting_fails_the_start_naming_it(string key, string value, string named)
    {
        var settings = Settings();
        settings[key] = value;
        using var provider = Build(settings);

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value, failure.Message.Replace(named, "", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
