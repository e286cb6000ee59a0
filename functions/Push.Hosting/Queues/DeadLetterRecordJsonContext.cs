using System.Text.Json;
using System.Text.Json.Serialization;

namespace Push.Hosting.Queues;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DeadLetterRecord))]
internal sealed partial class DeadLetterRecordJsonContext : JsonSerializerContext;
