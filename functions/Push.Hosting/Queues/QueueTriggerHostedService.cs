using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Hosting.Configuration;

namespace Push.Hosting.Queues;

/// <summary>Starts one <see cref="QueueListener"/> per bound queue and drains them on shutdown.</summary>
internal sealed partial class QueueTriggerHostedService(
    IEnumerable<QueueTriggerRegistration> registrations,
    IServiceProvider services,
    IServiceScopeFactory scopes,
    ILoggerFactory loggerFactory,
    TimeProvider time) : IHostedService
{
    private readonly List<QueueListener> _listeners = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var bindings = registrations.ToList();
        if (bindings.Count == 0) return;
        var connection = services.GetService<StorageQueueConnection>()
            ?? throw new InvalidOperationException("Queue triggers are bound but AddStorageQueues(configuration) was not called");

        var reader = new SettingReader();
        var hostOptions = FunctionsHostOptions.Read(connection.Configuration, reader);
        var options = new Dictionary<QueueTriggerRegistration, QueueTriggerOptions>();
        foreach (var binding in bindings)
        {
            if (!IsValidQueueName(binding.QueueName))
            {
                reader.AddError($"queue name '{binding.QueueName}' of function {binding.FunctionName} must be 3..56 lower-case letters, digits and single hyphens (56 leaves room for '-poison')");
            }
            options[binding] = QueueTriggerOptions.Read(connection.Configuration, binding.QueueName, Environment.ProcessorCount, reader);
        }
        foreach (var duplicate in bindings.GroupBy(b => b.FunctionName, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            reader.AddError($"function name '{duplicate.Key}' is bound more than once");
        }
        foreach (var duplicate in bindings.GroupBy(b => b.QueueName, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            reader.AddError($"queue '{duplicate.Key}' is bound to more than one function ({string.Join(", ", duplicate.Select(b => b.FunctionName))})");
        }
        if (reader.Errors.Count > 0)
        {
            throw new OptionsValidationException(QueueTriggerOptions.SectionPath, typeof(QueueTriggerOptions), reader.Errors);
        }

        var serviceClient = connection.CreateServiceClient();
        var telemetry = services.GetRequiredService<QueueTriggerTelemetry>();
        foreach (var binding in bindings)
        {
            var queue = serviceClient.GetQueueClient(binding.QueueName);
            var poison = serviceClient.GetQueueClient(binding.QueueName + "-poison");
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            var logger = loggerFactory.CreateLogger("Push.Hosting.Queues.QueueListener." + binding.FunctionName);
            _listeners.Add(new QueueListener(binding, options[binding], hostOptions, queue, poison, scopes, telemetry, logger, time));
        }
        foreach (var listener in _listeners)
        {
            listener.Start();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_listeners.Select(listener => listener.StopAsync(cancellationToken)));

    private static bool IsValidQueueName(string name) => name.Length is >= 3 and <= 56 && QueueName().IsMatch(name);

    [GeneratedRegex("^[a-z0-9](?!.*--)[a-z0-9-]*[a-z0-9]$")]
    private static partial Regex QueueName();
}
