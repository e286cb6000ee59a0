using Amqp;
using Amqp.Framing;
using Amqp.Types;

namespace Push.Hosting.ServiceBus;

/// <summary>
/// Service Bus lock renewal: a <c>com.microsoft:renew-lock</c> request on <c>&lt;queue&gt;/$management</c> whose body
/// is a map {lock-tokens: uuid[]}; the response's {expirations: timestamp[]} gives the new locked-until.
/// </summary>
internal sealed class ManagementLockRenewer(AmqpRequestResponseLink link) : IMessageLockRenewer
{
    public const string RenewLockOperation = "com.microsoft:renew-lock";
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public async Task<DateTimeOffset?> RenewAsync(Guid lockToken, CancellationToken cancellationToken)
    {
        var request = new Message(new Map { ["lock-tokens"] = new[] { lockToken } })
        {
            ApplicationProperties = new ApplicationProperties
            {
                ["operation"] = RenewLockOperation,
                ["com.microsoft:server-timeout"] = (uint)RequestTimeout.TotalMilliseconds,
            },
        };
        var response = await link.RequestAsync(request, RequestTimeout, cancellationToken);
        var status = AmqpRequestResponseLink.StatusCode(response);
        if (status != 200)
        {
            // 410 (lock lost) and the like: the message will come back to someone; the caller stops renewing.
            throw new MessageLockLostException(status, AmqpRequestResponseLink.StatusDescription(response));
        }
        if (response.Body is Map body && body["expirations"] is DateTime[] { Length: > 0 } expirations)
        {
            return new DateTimeOffset(DateTime.SpecifyKind(expirations[0], DateTimeKind.Utc));
        }
        return null;
    }

    public ValueTask DisposeAsync() => link.DisposeAsync();
}
