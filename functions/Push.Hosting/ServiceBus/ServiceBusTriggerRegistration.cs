namespace Push.Hosting.ServiceBus;

/// <summary>One function bound to one Service Bus queue (added by <c>AddServiceBusTrigger</c>).</summary>
internal sealed record ServiceBusTriggerRegistration(string FunctionName, string QueueName, Type FunctionType);
