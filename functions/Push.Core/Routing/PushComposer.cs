using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Push.Core.Events;
using Push.Core.Protection;
using Push.Core.Registry;
using Push.Providers;
using Push.Providers.Apns;
using Push.Providers.Fcm;

namespace Push.Core.Routing;

/// <summary>
/// Turns one event and one device into the provider request (the routing table in ARCHITECTURE.md): picks
/// the push type, token, topic, priority, expiry and grouping; seals the details for the device; and keeps
/// the result within the provider's size limit, shortening an IM preview if it has to.
/// </summary>
public sealed class PushComposer
{
    /// <summary>The region whose iOS devices may not show CallKit: calls arrive as alerts instead (the seed's China rule).</summary>
    public const string NoCallKitRegion = "CN";

    private readonly IPayloadCipher _cipher;
    private readonly TimeProvider _timeProvider;
    private readonly GroupingHash _grouping;
    private readonly TimeSpan _messageTimeToLive;

    public PushComposer(IPayloadCipher cipher, TimeProvider timeProvider, RoutingOptions options)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(options);
        ValidatedOptions.ThrowIfInvalid(new RoutingOptionsValidator(), options);
        _cipher = cipher;
        _timeProvider = timeProvider;
        _grouping = new GroupingHash(options.TryDecodeHashKey()!);
        _messageTimeToLive = options.MessageTimeToLive;
    }

    /// <summary>
    /// Whether the event is meant for this device: a <c>push.call.incoming</c> that names <c>devices</c> rings
    /// only those; everything else goes to all the user's devices.
    /// </summary>
    public static bool Targets(PushEvent evt, RegisteredDevice device)
    {
        ArgumentNullException.ThrowIfNull(evt);
        ArgumentNullException.ThrowIfNull(device);
        return evt.Data is not CallIncomingData { Devices: { } devices } || devices.Contains(device.DeviceId, StringComparer.Ordinal);
    }

    /// <param name="apnsId">The same for every attempt at this event on this device (see <see cref="Delivery.ApnsIds"/>).</param>
    public ComposedPush Compose(PushEvent evt, RegisteredDevice device, Guid apnsId)
    {
        ArgumentNullException.ThrowIfNull(evt);
        ArgumentNullException.ThrowIfNull(device);

        var now = _timeProvider.GetUtcNow();
        var expiresAt = evt.Data switch
        {
            CallIncomingData call => evt.Time.AddSeconds(call.RingTimeoutSeconds),
            CallEndedData or ImMessageData => evt.Time + _messageTimeToLive,
            _ => (DateTimeOffset?)null,
        };
        if (expiresAt is null)
        {
            return new ComposedPush.NotSendable(UnsendableReason.NotADeliveryEvent);
        }
        if (expiresAt.Value <= now)
        {
            return new ComposedPush.Expired(expiresAt.Value);
        }

        var plan = device.Platform == DevicePlatform.Ios ? PlanApns(evt, device) : PlanFcm(evt, device);
        if (plan.Token is null)
        {
            return new ComposedPush.NotSendable(UnsendableReason.MissingToken);
        }

        var envelope = Seal(evt, device, plan);
        if (envelope is null)
        {
            return new ComposedPush.NotSendable(UnsendableReason.PayloadTooLarge);
        }

        if (device.Platform == DevicePlatform.Ios)
        {
            var payload = plan.ApnsBody(envelope);
            if (payload.Length > plan.Limit)
            {
                return new ComposedPush.NotSendable(UnsendableReason.PayloadTooLarge);
            }
            return new ComposedPush.Apns(
                new ApnsNotification(plan.Token, plan.ApnsPushType, plan.Topic!, 10, expiresAt, plan.GroupId, apnsId, payload),
                device.Environment);
        }

        var data = envelope.ToFcmData();
        if (FcmMessage.DataSize(data) > plan.Limit)
        {
            return new ComposedPush.NotSendable(UnsendableReason.PayloadTooLarge);
        }
        // FCM counts ttl in whole seconds: round down so the push never outlives the ring, but never to zero.
        var ttl = TimeSpan.FromSeconds(Math.Max(1, Math.Floor((expiresAt.Value - now).TotalSeconds)));
        return new ComposedPush.Fcm(new FcmMessage(plan.Token, data, FcmAndroidPriority.High, ttl, plan.GroupId));
    }

    private Plan PlanApns(PushEvent evt, RegisteredDevice device)
    {
        switch (evt.Data)
        {
            case CallIncomingData call:
                // CallKit is forbidden in mainland China, and a device that registered no PushKit token cannot
                // take a VoIP push: both get an alert the app's extension turns into an incoming-call notice.
                var noCallKit = string.Equals(device.Region, NoCallKitRegion, StringComparison.OrdinalIgnoreCase);
                if (!noCallKit && device.VoipToken is not null)
                {
                    return new Plan(device.VoipToken, ApnsPushType.Voip, device.AppId + ".voip", null, null,
                        ApnsNotification.MaxPayloadBytes(ApnsPushType.Voip));
                }
                return AlertPlan(device, ApnsAlertKeys.IncomingCall, threadId: null, collapseId: _grouping.Call(call.CallId));
            case CallEndedData ended:
                // Never VoIP: iOS requires every VoIP push to report a new call to CallKit.
                return AlertPlan(device, ApnsAlertKeys.CallEnded, threadId: null, collapseId: _grouping.Call(ended.CallId));
            case ImMessageData message:
                return AlertPlan(device, ApnsAlertKeys.NewMessage, threadId: _grouping.Conversation(message.ConversationId), collapseId: null);
            default:
                throw new InvalidOperationException("unreachable: only deliverable events are planned");
        }
    }

    private static Plan AlertPlan(RegisteredDevice device, string locKey, string? threadId, string? collapseId) =>
        new(device.PushToken, ApnsPushType.Alert, device.AppId, collapseId, (locKey, threadId),
            ApnsNotification.MaxPayloadBytes(ApnsPushType.Alert));

    private Plan PlanFcm(PushEvent evt, RegisteredDevice device)
    {
        var group = evt.Data switch
        {
            CallIncomingData call => _grouping.Call(call.CallId),
            CallEndedData ended => _grouping.Call(ended.CallId),
            ImMessageData message => _grouping.Conversation(message.ConversationId),
            _ => throw new InvalidOperationException("unreachable: only deliverable events are planned"),
        };
        return new Plan(device.PushToken, default, null, group, null, FcmMessage.MaxDataBytes);
    }

    /// <summary>Seals the event's plaintext, shortening an IM preview to fit; null when nothing fits.</summary>
    private PushEnvelope? Seal(PushEvent evt, RegisteredDevice device, Plan plan)
    {
        var maxPlaintext = MaxPlaintextBytes(evt, device, plan);
        byte[]? plaintext = evt.Data switch
        {
            CallIncomingData call => PushPlaintext.CallIncoming(evt, call),
            CallEndedData ended => PushPlaintext.CallEnded(evt, ended),
            ImMessageData message => FitMessage(evt, message, maxPlaintext),
            _ => null,
        };
        if (plaintext is null || plaintext.Length > maxPlaintext)
        {
            return null;
        }
        return _cipher.Seal(device, evt.Type, evt.TrackingId, plaintext);
    }

    // The payload grows only with the ciphertext's base64url text, so the largest plaintext that fits follows
    // from the size of the same payload with an empty ciphertext: no trial encryptions needed.
    private static int MaxPlaintextBytes(PushEvent evt, RegisteredDevice device, Plan plan)
    {
        var empty = new PushEnvelope(PushEnvelope.CurrentVersion, evt.Type, evt.TrackingId, device.WrappedKey.KeyId,
            new byte[PushEnvelope.NonceBytes], []);
        var frame = device.Platform == DevicePlatform.Ios ? plan.ApnsBody(empty).Length : FcmMessage.DataSize(empty.ToFcmData());
        var room = plan.Limit - frame;
        var sealedBytes = room / 4 * 3 + Math.Max(0, room % 4 - 1);
        return sealedBytes - PushEnvelope.TagBytes;
    }

    private static byte[]? FitMessage(PushEvent evt, ImMessageData message, int maxPlaintext)
    {
        var full = PushPlaintext.ImMessage(evt, message, message.Preview, truncated: false);
        if (full.Length <= maxPlaintext)
        {
            return full;
        }

        // Cut only between grapheme clusters, so no emoji, accent or surrogate pair is split.
        var starts = StringInfo.ParseCombiningCharacters(message.Preview);
        byte[]? best = null;
        int low = 0, high = starts.Length - 1;
        while (low <= high)
        {
            var middle = low + (high - low) / 2;
            var candidate = PushPlaintext.ImMessage(evt, message, message.Preview[..starts[middle]], truncated: true);
            if (candidate.Length <= maxPlaintext)
            {
                best = candidate;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return best;
    }

    /// <param name="Alert">For APNs alert pushes: the loc-key and thread-id; null for VoIP and FCM.</param>
    /// <param name="GroupId">apns-collapse-id or FCM collapse_key.</param>
    private sealed record Plan(string? Token, ApnsPushType ApnsPushType, string? Topic, string? GroupId,
        (string LocKey, string? ThreadId)? Alert, int Limit)
    {
        public byte[] ApnsBody(PushEnvelope envelope)
        {
            var buffer = new ArrayBufferWriter<byte>(1024);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                if (Alert is { } alert)
                {
                    writer.WriteStartObject("aps");
                    writer.WriteStartObject("alert");
                    writer.WriteString("loc-key", alert.LocKey);
                    writer.WriteEndObject();
                    writer.WriteString("sound", "default");
                    // Lets the app's notification service extension decrypt and rewrite the alert.
                    writer.WriteNumber("mutable-content", 1);
                    if (alert.ThreadId is not null) writer.WriteString("thread-id", alert.ThreadId);
                    writer.WriteEndObject();
                }
                writer.WritePropertyName(PushEnvelope.ApnsPayloadKey);
                envelope.WriteJson(writer);
                writer.WriteEndObject();
            }
            return buffer.WrittenSpan.ToArray();
        }
    }
}
