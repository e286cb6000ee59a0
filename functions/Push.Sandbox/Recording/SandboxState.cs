using System.Security.Cryptography;

namespace Push.Sandbox;

/// <summary>Registrations, issued tokens and records shared by the stand-ins; thread-safe.</summary>
internal sealed class SandboxState(SandboxOptions options)
{
    /// <summary>Apple: refresh the provider token no more often than once every 20 minutes.</summary>
    public static readonly TimeSpan MinTokenUpdateInterval = TimeSpan.FromMinutes(20);

    private readonly object _gate = new();
    private readonly Dictionary<string, ApnsKey> _apnsKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ServiceAccount> _serviceAccounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AccessToken> _accessTokens = new(StringComparer.Ordinal);
    private readonly List<SeenProviderToken> _providerTokens = [];
    private readonly List<RecordedApnsPush> _apnsPushes = [];
    private readonly List<RecordedFcmMessage> _fcmMessages = [];
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<Action> _waiters = [];
    private int _accessTokensIssued;

    public SandboxOptions Options { get; } = options;
    public TimeProvider Time => Options.TimeProvider;
    public SandboxFaults Faults { get; } = new();

    public sealed record ApnsKey(string TeamId, string KeyId, ECDsa PublicKey, IReadOnlySet<string> BundleIds);
    public sealed record ServiceAccount(string ClientEmail, RSA PublicKey, string ProjectId, string? PrivateKeyId);
    public sealed record AccessToken(string ClientEmail, string ProjectId, IReadOnlyList<string> Scopes, DateTimeOffset ExpiresAt);

    public void RegisterApnsKey(string teamId, string keyId, ECDsa publicKey, string[] bundleIds)
    {
        ArgumentException.ThrowIfNullOrEmpty(teamId);
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentNullException.ThrowIfNull(publicKey);
        var copy = ECDsa.Create(publicKey.ExportParameters(includePrivateParameters: false));
        lock (_gate) _apnsKeys[keyId] = new ApnsKey(teamId, keyId, copy, new HashSet<string>(bundleIds, StringComparer.Ordinal));
    }

    public void RegisterServiceAccount(string clientEmail, RSA publicKey, string projectId, string? privateKeyId)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientEmail);
        ArgumentException.ThrowIfNullOrEmpty(projectId);
        ArgumentNullException.ThrowIfNull(publicKey);
        var copy = RSA.Create(publicKey.ExportParameters(includePrivateParameters: false));
        lock (_gate) _serviceAccounts[clientEmail] = new ServiceAccount(clientEmail, copy, projectId, privateKeyId);
    }

    public ApnsKey? FindApnsKey(string keyId)
    {
        lock (_gate) return _apnsKeys.GetValueOrDefault(keyId);
    }

    public ServiceAccount? FindServiceAccount(string clientEmail)
    {
        lock (_gate) return _serviceAccounts.GetValueOrDefault(clientEmail);
    }

    /// <summary>
    /// Records a provider token (team, key, iat). A token already seen is always fine; a new one is an
    /// "update", refused when the team's last update was under 20 minutes ago.
    /// </summary>
    public bool TryAcceptProviderToken(string teamId, string keyId, long issuedAt)
    {
        var now = Time.GetUtcNow();
        lock (_gate)
        {
            var teamTokens = _providerTokens.Where(t => t.TeamId == teamId).ToList();
            if (teamTokens.Any(t => t.KeyId == keyId && t.IssuedAt == issuedAt)) return true;
            if (Options.EnforceTokenUpdateRate && teamTokens.Count > 0
                && now - teamTokens.Max(t => t.FirstSeenAt) < MinTokenUpdateInterval)
            {
                return false;
            }
            _providerTokens.Add(new SeenProviderToken(teamId, keyId, issuedAt, now));
            return true;
        }
    }

    public string IssueAccessToken(ServiceAccount account, IReadOnlyList<string> scopes)
    {
        var token = "ya29.sandbox-" + Security.Base64Url.Encode(RandomNumberGenerator.GetBytes(48));
        var expiresAt = Time.GetUtcNow().AddSeconds(Options.AccessTokenLifetimeSeconds);
        lock (_gate)
        {
            _accessTokens[token] = new AccessToken(account.ClientEmail, account.ProjectId, scopes, expiresAt);
            _accessTokensIssued++;
        }
        return token;
    }

    public AccessToken? FindAccessToken(string token)
    {
        lock (_gate) return _accessTokens.GetValueOrDefault(token);
    }

    public int AccessTokensIssued
    {
        get { lock (_gate) return _accessTokensIssued; }
    }

    public IReadOnlyList<SeenProviderToken> ProviderTokensSeen
    {
        get { lock (_gate) return [.. _providerTokens]; }
    }

    public IReadOnlyList<RecordedApnsPush> ApnsPushes
    {
        get { lock (_gate) return [.. _apnsPushes]; }
    }

    public IReadOnlyList<RecordedFcmMessage> FcmMessages
    {
        get { lock (_gate) return [.. _fcmMessages]; }
    }

    public IReadOnlyList<RecordedRequest> AllRequests
    {
        get { lock (_gate) return [.. _requests]; }
    }

    public void Record(RecordedApnsPush push)
    {
        lock (_gate) _apnsPushes.Add(push);
        Notify();
    }

    public void Record(RecordedFcmMessage message)
    {
        lock (_gate) _fcmMessages.Add(message);
        Notify();
    }

    public void Record(RecordedRequest request)
    {
        lock (_gate) _requests.Add(request);
    }

    public void ClearRecords()
    {
        lock (_gate)
        {
            _apnsPushes.Clear();
            _fcmMessages.Clear();
            _requests.Clear();
        }
    }

    public async Task<T> WaitForAsync<T>(Func<IReadOnlyList<T>> snapshot, Func<T, bool> match, TimeSpan timeout, string what)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Action wake = () => signal.TrySetResult();
        lock (_gate) _waiters.Add(wake);
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            while (true)
            {
                var found = snapshot().FirstOrDefault(match);
                if (found is not null) return found;
                try
                {
                    await signal.Task.WaitAsync(cts.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"no matching {what} was accepted within {timeout}");
                }
                signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                lock (_gate)
                {
                    _waiters.Remove(wake);
                    var current = signal;
                    wake = () => current.TrySetResult();
                    _waiters.Add(wake);
                }
            }
        }
        finally
        {
            lock (_gate) _waiters.Remove(wake);
        }
    }

    private void Notify()
    {
        Action[] waiters;
        lock (_gate) waiters = [.. _waiters];
        foreach (var wake in waiters) wake();
    }
}
