using System.Text.Json;
using Google.Protobuf;
using LocalFunctionsHost.Functions;
using LocalFunctionsHost.Rpc;

namespace LocalFunctionsHost.Queues;

/// <summary>
/// Puts a queue message into an InvocationRequest the way the Functions host's queue trigger sends it to an isolated
/// worker: as model binding data (source <c>AzureStorageQueues</c>) when the worker asked for deferred binding (an
/// SDK type such as <c>QueueMessage</c>), else as a string (bytes for dataType binary); and the trigger metadata
/// <c>QueueTrigger</c>, <c>Id</c>, <c>PopReceipt</c>, <c>DequeueCount</c>, <c>InsertionTime</c>,
/// <c>ExpirationTime</c>, <c>NextVisibleTime</c> and <c>sys</c>.
/// </summary>
internal static class QueueBinding
{
    public const string ModelBindingSource = "AzureStorageQueues";

    public static void Fill(InvocationRequest request, string functionName, QueueTrigger trigger, InFlightMessage entry, BinaryData body)
    {
        var message = entry.Message;
        // What the Storage extension's QueueMessage.MessageText holds: the decoded body as UTF-8 text.
        var text = body.ToString();
        var popReceipt = entry.PopReceipt;
        TypedData data;
        if (trigger.DeferredBinding)
        {
            data = new TypedData
            {
                ModelBindingData = new ModelBindingData
                {
                    Version = "1.0",
                    Source = ModelBindingSource,
                    ContentType = "application/json",
                    Content = ByteString.CopyFrom(Json(writer =>
                    {
                        writer.WriteString("MessageId", message.MessageId);
                        writer.WriteString("PopReceipt", popReceipt);
                        writer.WriteString("MessageText", text);
                        writer.WriteNumber("DequeueCount", message.DequeueCount);
                        WriteDate(writer, "NextVisibleOn", entry.NextVisibleOn);
                        WriteDate(writer, "InsertedOn", message.InsertedOn);
                        WriteDate(writer, "ExpiresOn", message.ExpiresOn);
                    })),
                },
            };
        }
        else if (trigger.Binary)
        {
            data = new TypedData { Bytes = ByteString.CopyFrom(body.ToMemory().Span) };
        }
        else
        {
            data = new TypedData { String = text };
        }
        request.InputData.Add(new ParameterBinding { Name = trigger.ParameterName, Data = data });

        var metadata = request.TriggerMetadata;
        metadata["QueueTrigger"] = new TypedData { String = text };
        metadata["Id"] = new TypedData { String = message.MessageId };
        metadata["PopReceipt"] = new TypedData { String = popReceipt };
        metadata["DequeueCount"] = new TypedData { Json = message.DequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        AddDate(metadata, "InsertionTime", message.InsertedOn);
        AddDate(metadata, "ExpirationTime", message.ExpiresOn);
        AddDate(metadata, "NextVisibleTime", entry.NextVisibleOn);
        metadata["sys"] = new TypedData
        {
            Json = System.Text.Encoding.UTF8.GetString(Json(writer =>
            {
                writer.WriteString("MethodName", functionName);
                writer.WriteString("UtcNow", DateTimeOffset.UtcNow);
                writer.WriteString("RandGuid", Guid.NewGuid());
            })),
        };
    }

    private static void AddDate(Google.Protobuf.Collections.MapField<string, TypedData> metadata, string name, DateTimeOffset? value)
    {
        if (value is { } date) metadata[name] = new TypedData { Json = JsonSerializer.Serialize(date) };
    }

    private static void WriteDate(Utf8JsonWriter writer, string name, DateTimeOffset? value)
    {
        // Left out rather than null: the worker's QueueMessage reader takes any value it finds as a date.
        if (value is { } date) writer.WriteString(name, date);
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
