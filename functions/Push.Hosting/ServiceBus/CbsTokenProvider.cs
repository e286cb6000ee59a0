using Amqp;
using Amqp.Framing;

namespace Push.Hosting.ServiceBus;

/// <summary>
/// Puts SAS tokens on <c>$cbs</c> (operation put-token, type servicebus.windows.net:sastoken, name = the entity's
/// audience) and puts a fresh one at 80 % of each token's lifetime, so the links it authorises never see it expire.
/// </summary>
internal sealed class CbsTokenProvider : IAsyncDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(20);

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
        var expires = _time.GetUtcNow() + _lifetime;
        var request = new Message(SharedAccessSignature.Create(audience, _connection.KeyName, _connection.Key, expires))
        {
            ApplicationProperties = new ApplicationProperties
            {
                ["operation"] = "put-token",
                ["type"] = SharedAccessSignature.TokenType,
                ["name"] = audience,
            },
        };
        var response = await _link.RequestAsync(request, RequestTimeout, cancellationToken);
        var status = AmqpRequestResponseLink.StatusCode(response);
        if (status is not (200 or 202))
        {
            // The description is the service's; the token is not echoed in it.
            throw new UnauthorizedAccessException(
                $"$cbs refused the token for {audience} (status {status}: {AmqpRequestResponseLink.StatusDescription(response)}); check the SharedAccessKeyName and SharedAccessKey of '{_connection.SettingNameUsed}'");
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
