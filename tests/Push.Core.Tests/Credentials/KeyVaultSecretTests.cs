using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Push.Core.Credentials;
using Push.Testing;

namespace Push.Core.Tests.Credentials;

[Collection(CredentialsCollection.Name)]
public sealed class KeyVaultSecretTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Secrets_come_from_Key_Vault_and_a_missing_one_alarms_while_the_last_token_is_served_until_expiry()
    {
        await using var rig = await CredentialsRig.StartAsync(azurite);
        var vault = new FakeSecretClient();
        var pem = await File.ReadAllTextAsync(rig.Apns.PrivateKeyPath);
        vault.Secrets["apns-auth-key-p8"] = pem;
        vault.Secrets["fcm-service-account-json"] = await File.ReadAllTextAsync(rig.Fcm.ServiceAccountPath);
        // Files must not be what is used: point the settings nowhere.
        rig.Apns.PrivateKeyPath = "/nonexistent/key.p8";
        rig.Fcm.ServiceAccountPath = "/nonexistent/sa.json";
        var secrets = rig.CreateSecrets(vault);
        using var store = rig.CreateStore();
        var minter = rig.CreateMinter(secrets);
        var refresher = rig.CreateRefresher(store, minter, rig.CreateFetcher(secrets));
        using var source = rig.CreateApnsSource(store, minter);
        var failures = new List<(long Value, string? Provider, string? Reason)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CredentialsTelemetry.MeterName && instrument.Name == "push.tokens.refresh_failed") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var copied = tags.ToArray();
            var provider = copied.FirstOrDefault(t => t.Key == "push.provider").Value as string;
            var reason = copied.FirstOrDefault(t => t.Key == "reason").Value as string;
            lock (failures) failures.Add((value, provider, reason));
        });
        listener.Start();

        var report = await refresher.RunAsync(CancellationToken.None);
        Assert.Equal(ProviderTokenRefreshOutcome.Refreshed, report.Apns);
        Assert.Equal(ProviderTokenRefreshOutcome.Refreshed, report.Fcm);
        Assert.Contains("apns-auth-key-p8", vault.Requested);
        Assert.Contains("fcm-service-account-json", vault.Requested);
        var token = await source.GetAsync(CancellationToken.None);
        Assert.Equal(1, minter.MintCount);

        vault.Secrets.TryRemove("apns-auth-key-p8", out _);
        rig.Time.Advance(TimeSpan.FromMinutes(51));
        report = await refresher.RunAsync(CancellationToken.None);

        Assert.Equal(ProviderTokenRefreshOutcome.Failed, report.Apns);
        Assert.Contains(rig.Logs.Entries, e => e.Level == LogLevel.Critical && e.EventId.Id == 3432 && e.Message.Contains("apns-auth-key-p8"));
        Assert.Contains(failures, f => f.Value == 1 && f.Provider == "apns" && f.Reason == "secret");

        // Senders keep the last valid token (51 minutes old, valid for 60).
        Assert.Equal(token.Jwt, (await source.GetAsync(CancellationToken.None)).Jwt);
        Assert.Contains(rig.Logs.Entries, e => e.Level == LogLevel.Critical && e.EventId.Id == 3411);

        rig.Time.Advance(TimeSpan.FromMinutes(10));
        await Assert.ThrowsAnyAsync<Exception>(async () => await source.GetAsync(CancellationToken.None));

        // A malformed secret is reported the same way, naming the secret but not its content.
        vault.Secrets["apns-auth-key-p8"] = Pem("PRIVATE KEY", "not base64");
        Assert.Equal(ProviderTokenRefreshOutcome.Failed, (await refresher.RunAsync(CancellationToken.None)).Apns);
        Assert.DoesNotContain(token.Jwt, rig.Logs.AllText);
        Assert.DoesNotContain(pem.Split('\n')[1], rig.Logs.AllText);
        Assert.DoesNotContain("not base64", rig.Logs.AllText);
    }

    [Fact]
    public async Task With_key_vault_the_start_reads_and_checks_both_secrets_and_fails_naming_the_one_missing_or_malformed()
    {
        await using var rig = await CredentialsRig.StartAsync(azurite);
        var vault = new FakeSecretClient();
        var pem = await File.ReadAllTextAsync(rig.Apns.PrivateKeyPath);
        var account = await File.ReadAllTextAsync(rig.Fcm.ServiceAccountPath);
        vault.Secrets["apns-auth-key-p8"] = pem;
        vault.Secrets["fcm-service-account-json"] = account;
        rig.Apns.PrivateKeyPath = "";
        rig.Fcm.ServiceAccountPath = "";
        var check = new ProviderSecretsCheck(rig.CreateSecrets(vault));

        await check.StartingAsync(CancellationToken.None);
        Assert.Contains("apns-auth-key-p8", vault.Requested);
        Assert.Contains("fcm-service-account-json", vault.Requested);

        vault.Secrets.TryRemove("fcm-service-account-json", out _);
        var missing = await Assert.ThrowsAsync<ProviderSecretException>(() => check.StartingAsync(CancellationToken.None));
        Assert.Contains("fcm-service-account-json", missing.Message, StringComparison.Ordinal);

        vault.Secrets["fcm-service-account-json"] = account;
        vault.Secrets["apns-auth-key-p8"] = Pem("PRIVATE KEY", "not base64");
        var malformed = await Assert.ThrowsAsync<ProviderSecretException>(() => check.StartingAsync(CancellationToken.None));
        Assert.Contains("apns-auth-key-p8", malformed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not base64", malformed.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "Apns:PrivateKeyPath", "Fcm:ServiceAccountPath")]
    [InlineData("https://relay-kv.vault.azure.net/", null, null)]
    public void Without_key_vault_both_files_are_required_with_it_neither(string? vault, string? firstNamed, string? secondNamed)
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
        var result = new KeyVaultOptionsValidator(configuration).Validate(null, new KeyVaultOptions { Uri = vault is null ? null : new Uri(vault) });
        if (firstNamed is null)
        {
            Assert.True(result.Succeeded, result.FailureMessage);
            return;
        }
        Assert.Contains(result.Failures!, f => f.StartsWith(firstNamed, StringComparison.Ordinal) && f.Contains("KeyVault:Uri", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith(secondNamed!, StringComparison.Ordinal));
    }

    // A malformed PEM built at run time (no key-shaped text sits in the repository).
    private static string Pem(string label, string body) => $"-----BEGIN {label}-----\n{body}\n-----END {label}-----";
}
