using System.Text.Json.Serialization;

namespace Push.Hosting.Timers;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ScheduleStatus))]
internal sealed partial class ScheduleStatusJsonContext : JsonSerializerContext;
