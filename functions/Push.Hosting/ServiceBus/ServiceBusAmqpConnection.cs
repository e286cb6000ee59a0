using Amqp;
using Amqp.Sasl;

namespace Push.Hosting.ServiceBus;

/// <summary>
/// One AMQP connection and session to the namespace, authenticated per <see cref="ServiceBusAuthMode"/>. Its
/// <see cref="Lost"/> task completes when the connection, the session or a CBS renewal fails, so owners can reconnect.
/// </summary>
internal sealed class ServiceBusAmqpConnection : IAsyncDisposable
{
    private readonly Connection _connection;
    private readonly CbsTokenProvider? _cbs;
    private readonly TaskCompletionSource<string> _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServiceBusAmqpConnection(Connection connection, Session session, CbsTokenProvider? cbs)
    {
        _connection = connection;
        Session = session;
        _cbs = cbs;
        connection.AddClosedCallback((_, error) => _lost.TrySetResult(error?.Condition.ToString() ?? "connection closed"));
        session.AddClosedCallback((_, error) => _lost.TrySetResult(error?.Condition.ToString() ?? "session closed"));
        if (cbs is not null) cbs.RenewalFailed += (_, ex) => _lost.TrySetResult("token renewal failed: " + ex.GetType().Name);
    }

    public Session Session { get; }

    /// <summary>Completes, with a short reason (an AMQP condition or exception type, no secrets), when the connection is unusable.</summary>
    public Task<string> Lost => _lost.Task;

    public static async Task<ServiceBusAmqpConnection> OpenAsync(ServiceBusConnectionString settings, ServiceBusTriggerOptions options,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory();
        Address address;
        if (options.AuthMode == ServiceBusAuthMode.SaslPlain && settings.Credential is not null)
        {
            throw new InvalidOperationException(
                $"'{settings.SettingNameUsed}' is identity-based, which needs authMode 'cbs' (AzureFunctionsJobHost:extensions:serviceBus:authMode)");
        }
        if (options.AuthMode == ServiceBusAuthMode.SaslPlain)
        {
            address = new Address(settings.Host, settings.Port, settings.KeyName, settings.Key, "/", settings.UseTls ? "AMQPS" : "AMQP");
        }
        else
        {
            factory.SASL.Profile = SaslProfile.Anonymous;
            address = new Address(settings.Host, settings.Port, null, null, "/", settings.UseTls ? "AMQPS" : "AMQP");
        }
        // TLS uses the platform's certificate validation; there is deliberately no switch to turn it off.
        factory.AMQP.HostName = settings.Host;
        factory.AMQP.IdleTimeout = 120_000;
        Connection connection;
        try
        {
            connection = await factory.CreateAsync(address, cancellationToken);
        }
        catch (AmqpException ex) when (ex.Error?.Condition.ToString() is "amqp:unauthorized-access")
        {
            // The library's message does not carry the password, but ours names the setting to fix.
            throw new UnauthorizedAccessException(
                $"The broker refused the credentials of '{settings.SettingNameUsed}' (SharedAccessKeyName {settings.KeyName})", ex);
        }
        var session = new Session(connection);
        CbsTokenProvider? cbs = null;
        if (options.AuthMode == ServiceBusAuthMode.Cbs)
        {
            cbs = new CbsTokenProvider(session, settings, options.TokenLifetime, time);
        }
        return new ServiceBusAmqpConnection(connection, session, cbs);
    }

    /// <summary>Puts (and keeps renewing) a token for <paramref name="entityPath"/>; nothing to do under SASL PLAIN.</summary>
    public Task AuthorizeAsync(string entityPath, CancellationToken cancellationToken) =>
        _cbs?.AuthorizeAsync(entityPath, cancellationToken) ?? Task.CompletedTask;

    /// <summary>Drops the connection without settling anything (what a crash does): the broker gives unsettled deliveries back.</summary>
    public void Abort() => _connection.Close(TimeSpan.Zero, null);

    public async ValueTask DisposeAsync()
    {
        if (_cbs is not null) await _cbs.DisposeAsync();
        await AmqpRequestResponseLink.CloseQuietlyAsync(Session);
        await AmqpRequestResponseLink.CloseQuietlyAsync(_connection);
    }
}
