using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amqp;
using Amqp.Framing;
using Amqp.Sasl;
using Amqp.Types;
using Azure.Messaging.ServiceBus;
using Push.Testing.ServiceBus;

namespace Push.Testing.Tests.ServiceBus;

public sealed class AuthorizationTests : EmulatorTest
{
    private const string CbsNodeAddress = "$cbs";

    [Fact]
    public async Task A_connection_string_with_the_wrong_key_is_refused_as_unauthorized()
    {
        var wrongKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var options = ClientOptions();
        options.RetryOptions.MaxRetries = 1;
        await using var client = new ServiceBusClient(Emulator.ConnectionStringWithKey(wrongKey), options);
        await using var sender = client.CreateSender(Queue);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => sender.SendMessageAsync(new ServiceBusMessage("x")));

        // The SDK retries an UnauthorizedAccessException (a new role assignment may still be spreading): each try put a token.
        Assert.Equal(options.RetryOptions.MaxRetries + 1, Emulator.PutTokens.Count);
        Assert.All(Emulator.PutTokens, refused =>
        {
            Assert.Equal(("servicebus.windows.net:sastoken", false), (refused.TokenType, refused.Valid));
            Assert.StartsWith("InvalidSignature", refused.Refusal);
        });
        Assert.Equal(0, Emulator.Counts(Queue).InQueue);
    }

    [Fact]
    public async Task An_identity_based_client_puts_a_jwt_for_the_entity_audience_over_tls()
    {
        var credential = new TestTokenCredential();
        // A credential-based client cannot use UseDevelopmentEmulator: it always speaks TLS, to CustomEndpointAddress's
        // host and port, while token audiences keep naming the namespace it was built with.
        await using var client = new ServiceBusClient(Emulator.FullyQualifiedNamespace, credential, IdentityOptions());
        await using var sender = client.CreateSender(Queue);
        await using var receiver = client.CreateReceiver(Queue);

        await sender.SendMessageAsync(new ServiceBusMessage("over tls") { MessageId = "j-1" });
        var received = await ReceiveOneAsync(receiver);
        await receiver.CompleteMessageAsync(received);

        Assert.Equal("j-1", received.MessageId);
        Assert.All(Emulator.PutTokens, t => Assert.Equal(("jwt", true), (t.TokenType, t.Valid)));
        Assert.Contains(Emulator.PutTokens, t => t.Audience == $"amqps://{Emulator.FullyQualifiedNamespace}/{Queue}");
        Assert.Contains(credential.RequestedScopes, scopes => scopes.SequenceEqual(["https://servicebus.azure.net/.default"]));
        Assert.Equal(SettlementKind.Completed, Assert.Single(Emulator.Settlements).Kind);
    }

    [Fact]
    public async Task A_jwt_for_another_audience_is_refused_as_unauthorized()
    {
        var options = IdentityOptions();
        options.RetryOptions.MaxRetries = 1;
        await using var client = new ServiceBusClient(Emulator.FullyQualifiedNamespace, new TestTokenCredential("https://storage.azure.com"), options);
        await using var sender = client.CreateSender(Queue);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => sender.SendMessageAsync(new ServiceBusMessage("x")));

        Assert.NotEmpty(Emulator.PutTokens);
        Assert.All(Emulator.PutTokens, refused =>
        {
            Assert.Equal(("jwt", false), (refused.TokenType, refused.Valid));
            Assert.StartsWith("InvalidAudience", refused.Refusal);
        });
    }

    [Fact]
    public async Task An_entity_link_attaches_only_under_a_valid_token_for_that_entity()
    {
        Emulator.CreateQueue("other");
        var factory = new ConnectionFactory();
        factory.SASL.Profile = new CbsClientSasl();
        var connection = await factory.CreateAsync(new Address($"amqp://127.0.0.1:{Emulator.Port}"));
        try
        {
            var session = new Session(connection);
            Assert.Equal(ErrorCode.UnauthorizedAccess, await AttachErrorAsync(session, "no-token", "/q"));

            Assert.Equal(202, await PutTokenAsync(session, "other"));
            Assert.Equal(ErrorCode.UnauthorizedAccess, await AttachErrorAsync(session, "token-for-other", "/q"));

            Assert.Equal(202, await PutTokenAsync(session, Queue));
            // Both spellings of the entity: the SDK's send and receive links write /q.
            Assert.Null(await AttachErrorAsync(session, "token-for-q", "/q"));
            Assert.Null(await AttachErrorAsync(session, "token-for-q-no-slash", Queue));
        }
        finally
        {
            await connection.CloseAsync();
        }
    }

    private ServiceBusClientOptions IdentityOptions()
    {
        var options = ClientOptions();
        options.CustomEndpointAddress = Emulator.TlsEndpoint;
        options.CertificateValidationCallback = Emulator.ValidateServerCertificate;
        return options;
    }

    // Null when the link attached; otherwise the condition it was detached with.
    private static async Task<string?> AttachErrorAsync(Session session, string name, string address)
    {
        var attached = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var link = new SenderLink(session, name, new Target { Address = address }, (_, attach) => attached.TrySetResult(attach.Target is not null));
        var closed = new TaskCompletionSource<Error?>(TaskCreationOptions.RunContinuationsAsynchronously);
        link.AddClosedCallback((_, error) => closed.TrySetResult(error));
        if (!await attached.Task.WaitAsync(Wait)) return (await closed.Task.WaitAsync(Wait))?.Condition?.ToString();
        await link.CloseAsync();
        return null;
    }

    // CBS by hand, as the SDK does it: a request link to $cbs and a response link whose target is the reply-to.
    private async Task<int> PutTokenAsync(Session session, string entity)
    {
        var replyTo = "cbs-reply-" + entity;
        var requests = new SenderLink(session, "cbs-request-" + entity, CbsNodeAddress);
        var responses = new ReceiverLink(session, "cbs-response-" + entity, new Attach
        {
            Source = new Source { Address = CbsNodeAddress },
            Target = new Target { Address = replyTo },
        }, null);
        var audience = $"amqp://127.0.0.1/{entity}";
        var request = new Message(SharedAccessSignature(audience))
        {
            Properties = new Properties { MessageId = "put-" + entity, ReplyTo = replyTo },
            ApplicationProperties = new ApplicationProperties { ["operation"] = "put-token", ["type"] = "servicebus.windows.net:sastoken", ["name"] = audience },
        };
        await requests.SendAsync(request);
        var response = await responses.ReceiveAsync(Wait) ?? throw new TimeoutException("no put-token response");
        responses.Accept(response);
        await requests.CloseAsync();
        await responses.CloseAsync();
        return (int)response.ApplicationProperties["status-code"];
    }

    // The SDK's signature shape: HMAC-SHA256 over "<url-encoded resource>\n<unix expiry>" with the rule's key.
    private string SharedAccessSignature(string resource)
    {
        var key = Emulator.ConnectionString.Split(';').Single(p => p.StartsWith("SharedAccessKey=", StringComparison.Ordinal))["SharedAccessKey=".Length..];
        var encodedResource = WebUtility.UrlEncode(resource);
        var expiry = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(encodedResource + "\n" + expiry)));
        return $"SharedAccessSignature sr={encodedResource}&sig={WebUtility.UrlEncode(signature)}&se={expiry}&skn=RootManageSharedAccessKey";
    }

    /// <summary>The client side of SASL MSSBCBS: an init with no credentials.</summary>
    private sealed class CbsClientSasl() : SaslProfile("MSSBCBS")
    {
        protected override ITransport UpgradeTransport(ITransport transport) => transport;

        protected override DescribedList GetStartCommand(string hostname) => new SaslInit { Mechanism = "MSSBCBS", InitialResponse = [] };

        protected override DescribedList OnCommand(DescribedList command) => throw new AmqpException(ErrorCode.NotAllowed, "unexpected SASL frame");
    }
}
