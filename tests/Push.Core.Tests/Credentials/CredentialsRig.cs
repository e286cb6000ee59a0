using System.Security.Cryptography;
using Azure.Security.KeyVault.Secrets;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Push.Core.Credentials;
using Push.Core.Registry;
using Push.Providers.Apns;
using Push.Providers.Fcm;
using Push.Sandbox;
using Push.Testing;

namespace Push.Core.Tests.Credentials;

/// <summary>A sandbox with generated credentials, one token container in Azurite, and factories for "instances".</summary>
internal sealed class CredentialsRig : IAsyncDisposable
{
    private readonly string _directory;

    private CredentialsRig(string directory, SandboxServer sandbox, BlobContainerClient container, FakeTimeProvider time)
    {
        _directory = directory;
        Sandbox = sandbox;
        Container = container;
        Time = time;
        var credentials = sandbox.GeneratedCredentials!;
        Apns = new ApnsOptions
        {
            Endpoint = sandbox.ApnsEndpoint,
            TeamId = credentials.TeamId,
            KeyId = credentials.KeyId,
            PrivateKeyPath = credentials.ApnsKeyPath,
            TrustedCaPath = sandbox.CaCertificatePath,
            TokenRefreshInterval = TimeSpan.FromMinutes(50),
        };
        Fcm = new FcmOptions
        {
            Endpoint = sandbox.FcmEndpoint,
            ServiceAccountPath = credentials.ServiceAccountPath,
            ProjectId = credentials.ProjectId,
            TrustedCaPath = sandbox.CaCertificatePath,
        };
    }

    public SandboxServer Sandbox { get; }
    public BlobContainerClient Container { get; }
    public FakeTimeProvider Time { get; }
    public ApnsOptions Apns { get; }
    public FcmOptions Fcm { get; }
    public CapturingLogger Logs { get; } = new();
    public string Kek { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static async Task<CredentialsRig> StartAsync(AzuriteFixture azurite)
    {
        var directory = Path.Combine(Path.GetTempPath(), "push-credentials-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        // Starts at the real time (whole seconds, like a JWT iat): the sandbox's TLS certificate is dated by this
        // clock and the client checks it against the machine's.
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions { StateDirectory = directory, GenerateCredentials = true, TimeProvider = time });
        var container = new BlobContainerClient(azurite.ConnectionString, AzuriteFixture.UniqueName("tokens"));
        return new CredentialsRig(directory, sandbox, container, time);
    }

    public SharedProviderTokenOptions StoreOptions { get; } = new() { LeaseWaitTimeout = TimeSpan.FromSeconds(30) };

    public ProviderTokenStore CreateStore(string? kek = null) => new(
        Container,
        Options.Create(new DeviceKeyProtectionOptions { KeyEncryptionKey = kek ?? Kek, KeyEncryptionKeyId = "kek1" }),
        Options.Create(StoreOptions),
        new LoggerAdapter<ProviderTokenStore>(Logs));

    public ProviderSecretSource CreateSecrets(SecretClient? keyVault = null) => new(
        Options.Create(keyVault is null ? new KeyVaultOptions() : new KeyVaultOptions { Uri = new Uri("https://relay-test.vault.azure.net/") }),
        Options.Create(Apns),
        Options.Create(Fcm),
        keyVault);

    public ApnsProviderTokenMinter CreateMinter(ProviderSecretSource? secrets = null) => new(secrets ?? CreateSecrets(), Options.Create(Apns), Time);

    public FcmAccessTokenFetcher CreateFetcher(ProviderSecretSource? secrets = null) => new(secrets ?? CreateSecrets(), Options.Create(Fcm), Time);

    public SharedApnsProviderTokenSource CreateApnsSource(ProviderTokenStore store, ApnsProviderTokenMinter minter) =>
        new(store, minter, Options.Create(StoreOptions), Time, new LoggerAdapter<SharedApnsProviderTokenSource>(Logs));

    public SharedFcmAccessTokenSource CreateFcmSource(ProviderTokenStore store, FcmAccessTokenFetcher fetcher) =>
        new(store, fetcher, Options.Create(Fcm), Options.Create(StoreOptions), Time, new LoggerAdapter<SharedFcmAccessTokenSource>(Logs));

    public ProviderTokenRefresher CreateRefresher(ProviderTokenStore store, ApnsProviderTokenMinter minter, FcmAccessTokenFetcher fetcher) =>
        new(store, minter, fetcher, Options.Create(Fcm), Time, new LoggerAdapter<ProviderTokenRefresher>(Logs));

    public ApnsClient CreateApnsClient(IApnsProviderTokenSource tokens) =>
        new(Options.Create(Apns), tokens, Time, NullLogger<ApnsClient>.Instance);

    public ApnsNotification Push(int n) => new(
        Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(n))),
        ApnsPushType.Alert,
        Sandbox.GeneratedCredentials!.BundleIds[0],
        10,
        null,
        null,
        Guid.NewGuid(),
        """{"aps":{"alert":"hi"}}"""u8.ToArray());

    public async ValueTask DisposeAsync()
    {
        await Sandbox.DisposeAsync();
        try
        {
            await Container.DeleteIfExistsAsync();
        }
        catch (Azure.RequestFailedException)
        {
            // Azurite is going away with the fixture anyway.
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Lets one <see cref="CapturingLogger"/> stand behind typed loggers.</summary>
    private sealed class LoggerAdapter<T>(CapturingLogger inner) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);
        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
