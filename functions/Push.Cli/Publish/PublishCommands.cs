using System.CommandLine;
using Push.Core.Delivery;
using Push.Core.Events;
using Push.Core.Queues;
using Push.Core.ServiceBus;

namespace Push.Cli.Publish;

/// <summary>
/// <c>push publish call|call-ended|im</c>: what a producer does, as one command. Each prints the event's
/// tracking id (the CloudEvents id) for <c>push trace</c>.
/// </summary>
public static class PublishCommands
{
    public static Command Create(CliContext context)
    {
        var publish = new Command("publish", "Publish a call or message event onto the relay's queue (as a producer would).");
        publish.Add(Call(context));
        publish.Add(CallEnded(context));
        publish.Add(Im(context));
        return publish;
    }

    private static readonly Option<string> User = new("--user") { Description = "The recipient user id (the event's subject).", Required = true };
    private static readonly Option<string> Source = new("--source") { Description = "The producer (CloudEvents source).", DefaultValueFactory = _ => "/push-cli" };

    private static Command Call(CliContext context)
    {
        var callerName = new Option<string?>("--caller-name") { Description = "The caller's display name." };
        var callerNumber = new Option<string>("--caller-number") { Description = "The caller's number or URI.", Required = true };
        var callId = new Option<string?>("--call-id") { Description = "The call id (default: a new one)." };
        var media = new Option<string>("--media") { Description = "audio or video.", DefaultValueFactory = _ => "audio" };
        media.AcceptOnlyFromAmong("audio", "video");
        var ring = new Option<int>("--ring-timeout") { Description = "Seconds the phone rings.", DefaultValueFactory = _ => CallIncomingData.DefaultRingTimeoutSeconds };
        var activeNode = new Option<string?>("--active-node") { Description = "The call-control node the client should register to (failover hint; sent encrypted)." };
        var devices = new Option<string[]>("--device") { Description = "Ring only these device ids (repeatable).", AllowMultipleArgumentsPerToken = false };

        var command = new Command("call", "A ringing call: push.call.incoming on the calls queue.")
        {
            User, Source, callerName, callerNumber, callId, media, ring, activeNode, devices,
        };
        command.SetAction((result, ct) =>
        {
            var deviceIds = result.GetValue(devices);
            var data = new CallIncomingData(
                result.GetValue(callId) ?? "call-" + Guid.NewGuid().ToString("N")[..12],
                new Party(result.GetValue(callerName), result.GetRequiredValue(callerNumber)),
                result.GetRequiredValue(media),
                result.GetValue(ring),
                result.GetValue(activeNode),
                deviceIds is { Length: > 0 } ? deviceIds : null);
            return PublishAsync(context, EventRoute.Calls, result.GetRequiredValue(User), result.GetRequiredValue(Source), data, ct);
        });
        return command;
    }

    private static Command CallEnded(CliContext context)
    {
        var callId = new Option<string>("--call-id") { Description = "The call that ended.", Required = true };
        var reason = new Option<string>("--reason") { Description = "answered-elsewhere, cancelled or missed.", DefaultValueFactory = _ => "missed" };
        reason.AcceptOnlyFromAmong(CallEndReasons.All.ToArray());
        var callerName = new Option<string?>("--caller-name") { Description = "The caller's display name." };
        var callerNumber = new Option<string>("--caller-number") { Description = "The caller's number or URI.", Required = true };
        var command = new Command("call-ended", "A call stopped ringing: push.call.ended on the calls queue.")
        {
            User, Source, callId, reason, callerName, callerNumber,
        };
        command.SetAction((result, ct) => PublishAsync(context, EventRoute.Calls, result.GetRequiredValue(User), result.GetRequiredValue(Source),
            new CallEndedData(result.GetRequiredValue(callId), result.GetRequiredValue(reason),
                new Party(result.GetValue(callerName), result.GetRequiredValue(callerNumber))), ct));
        return command;
    }

    private static Command Im(CliContext context)
    {
        var fromName = new Option<string?>("--from-name") { Description = "The sender's display name." };
        var fromAddress = new Option<string>("--from-address") { Description = "The sender's address.", Required = true };
        var conversation = new Option<string>("--conversation") { Description = "The conversation id.", Required = true };
        var messageId = new Option<string?>("--message-id") { Description = "The message id (default: a new one)." };
        var preview = new Option<string>("--preview") { Description = "The message preview (sent encrypted; shortened to fit).", Required = true };
        var unread = new Option<int>("--unread") { Description = "The unread count.", DefaultValueFactory = _ => 1 };
        var command = new Command("im", "An instant message: push.im.message on the messages queue.")
        {
            User, Source, fromName, fromAddress, conversation, messageId, preview, unread,
        };
        command.SetAction((result, ct) => PublishAsync(context, EventRoute.Messages, result.GetRequiredValue(User), result.GetRequiredValue(Source),
            new ImMessageData(result.GetRequiredValue(conversation), result.GetValue(messageId) ?? "msg-" + Guid.NewGuid().ToString("N")[..12],
                new ImSender(result.GetValue(fromName), result.GetRequiredValue(fromAddress)),
                result.GetRequiredValue(preview), result.GetValue(unread)), ct));
        return command;
    }

    /// <summary>Writes the event and enqueues it; the tracking id is the only thing printed.</summary>
    internal static Task<int> PublishAsync(CliContext context, EventRoute route, string user, string source,
        PushEventData data, CancellationToken cancellationToken)
    {
        var evt = new PushEventWriter(source).Create(user, data);
        return PublishAsync(context, route, evt, Serialize(evt), cancellationToken);
    }

    /// <summary>The event as the relay will read it, or the contract's objection as the user's problem.</summary>
    internal static byte[] Serialize(PushEvent evt)
    {
        try
        {
            return PushEventWriter.Serialize(evt);
        }
        catch (ArgumentException ex)
        {
            throw CliException.From(ex);
        }
    }

    /// <summary>Enqueues an event already written by <see cref="Serialize"/>.</summary>
    internal static async Task<int> PublishAsync(CliContext context, EventRoute route, PushEvent evt, byte[] body,
        CancellationToken cancellationToken)
    {
        var queues = context.Queues;
        var queueName = queues.For(route);
        if (queues.Transport == QueueTransport.ServiceBus)
        {
            // Message id = tracking id: Service Bus duplicate detection then drops a producer's retry.
            await context.ServiceBusSenders.PublishAsync(queueName, body, evt.TrackingId, cancellationToken);
        }
        else
        {
            await context.StorageQueues.PublishAsync(queueName, body, cancellationToken);
        }
        Console.WriteLine(evt.TrackingId);
        return 0;
    }
}
