namespace Push.Hosting.Queues;

/// <summary>One function bound to one queue (added by <c>AddQueueTrigger</c>).</summary>
internal sealed record QueueTriggerRegistration(string FunctionName, string QueueName, Type FunctionType);
