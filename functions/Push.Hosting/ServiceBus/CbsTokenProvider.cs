using Amqp;
using Azure.Core;
using Amqp.Framing;

namespace Push.Hosting.ServiceBus;

/// <summary>
/// Puts tokens on <c>$cbs</c> (operation put-token, name = the entity's audience): SAS tokens (type
/// servicebus.windows.net:sastoken) from the connection string's key, or Entra ID access tokens (type jwt) for an
/// identity-based connection, and puts a fresh one at 80 % of each token's lifetime, so the links it authorises never see it expire.
/// </summary>
internal sealed class CbsTokenProvider : IAsyncDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(20);
    private const string EntraIdScope = "https://servicebus.azure.net/.default";
    private const string JwtTokenType = "jwt";

    private readonly AmqpRequestResponseLink _link;
    private readonly ServiceBusConnectionString _connection;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _renewals = [];

    public CbsTokenProvider(Session session, ServiceBusConnectionString connection, TimeSpan lifetime, TimeProvider time)
    {
        _link = new AmqpRequestResponseLink(session, ServiceBusAddresses.Cbs);
        _connection = connection;
        _lifetime = lifetime;
        _time = time;
    }

    /// <summary>Raised (with the audience) when a renewal fails: the connection is then treated as broken.</summary>
    public event Action<string, Exception>? RenewalFailed;

    /// <summary>Authorises <paramref name="entityPath"/> now, and keeps it authorised until disposed.</summary>
    public async Task AuthorizeAsync(string entityPath, CancellationToken cancellationToken)
    {
        var audience = _connection.Audience(entityPath);
        await PutTokenAsync(audience, cancellationToken);
        lock (_renewals)
        {
            _renewals.Add(Task.Run(() => RenewLoopAsync(audience)));
        }
    }

    private async Task RenewLoopAsync(string audience)
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_lifetime * 0.8, _time, token);
                await PutTokenAsync(audience, token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                RenewalFailed?.Invoke(audience, ex);
                return;
            }
        }
    }

    private async Task PutTokenAsync(string audience, CancellationToken cancellationToken)
    {
        string body;
        string type;
        if (_connection.Credential is { } credential)
        {
            // Entra ID: an access token for Service Bus, put as a JWT (the Azure SDKs do the same).
            var accessToken = await credential.GetTokenAsync(new TokenRequestContext([EntraIdScope]), cancellationToken);
            body = accessToken.Token;
            type = JwtTokenType;
        }
        else
        {
            body = SharedAccessSignature.Create(audience, _connection.KeyName, _connection.Key, _time.GetUtcNow() + _lifetime);
            type = SharedAccessSignature.TokenType;
        }
        var request = new Message(body)
        {
            ApplicationProperties = new ApplicationProperties
            {
                ["operation"] = "put-token",
                ["type"] = type,
                ["name"] = audience,
            },
        };
        var response = await _link.RequestAsync(request, RequestTimeout, cancellationToken);
        var status = AmqpRequestResponseLink.StatusCode(response);
        if (status is not (200 or 202))
        {
            // The description is the service's; the token is not echoed in it.
            throw new UnauthorizedAccessException(
                $"$cbs refused the token for {audience} (status {status}: {AmqpRequestResponseLink.StatusDescription(response)}); check '{_connection.SettingNameUsed}' and the identity's Service Bus roles");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Task[] renewals;
        lock (_renewals)
        {
            renewals = [.. _renewals];
        }
        await Task.WhenAll(renewals);
        await _link.DisposeAsync();
        _stop.Dispose();
    }
}
