using System.Collections.Concurrent;
using Azure;
using Azure.Security.KeyVault.Secrets;

namespace Push.Core.Tests.Credentials;

/// <summary>Key Vault cannot run here: a SecretClient answering from a dictionary, 404 SecretNotFound for missing names.</summary>
internal sealed class FakeSecretClient : SecretClient
{
    public ConcurrentDictionary<string, string> Secrets { get; } = new();

    public ConcurrentQueue<string> Requested { get; } = new();

    public override Task<Response<KeyVaultSecret>> GetSecretAsync(string name, string? version = null, CancellationToken cancellationToken = default)
    {
        Requested.Enqueue(name);
        if (!Secrets.TryGetValue(name, out var value))
        {
            throw new RequestFailedException(404, "A secret with (name/id) was not found in this key vault.", "SecretNotFound", null);
        }
        return Task.FromResult(Response.FromValue(new KeyVaultSecret(name, value), new FakeResponse()));
    }
}
