using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Hosting.Configuration;

namespace Push.Hosting.ServiceBus;

/// <summary>Checks the settings, starts one <see cref="ServiceBusQueueListener"/> per bound queue and drains them on shutdown.</summary>
internal sealed class ServiceBusTriggerHostedService(
    IEnumerable<ServiceBusTriggerRegistration> registrations,
    ServiceBusSettings settings,
    IServiceScopeFactory scopes,
    ILoggerFactory loggerFactory,
    TimeProvider time) : IHostedService
{
    private readonly List<ServiceBusQueueListener> _listeners = [];

    internal IReadOnlyList<ServiceBusQueueListener> Listeners => _listeners;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var bindings = registrations.ToList();
        if (bindings.Count == 0) return Task.CompletedTask;
        // Throws naming the setting (never its value) when the connection string is missing or malformed.
        var connection = ServiceBusConnectionString.Read(settings.Configuration, settings.Credential);
        var reader = new SettingReader();
        var hostOptions = FunctionsHostOptions.Read(settings.Configuration, reader);
        var options = ServiceBusTriggerOptions.Read(settings.Configuration, Environment.ProcessorCount, reader);
        foreach (var duplicate in bindings.GroupBy(b => b.FunctionName, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            reader.AddError($"function name '{duplicate.Key}' is bound more than once");
        }
        foreach (var duplicate in bindings.GroupBy(b => b.QueueName, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            reader.AddError($"queue '{duplicate.Key}' is bound to more than one function");
        }
        if (reader.Errors.Count > 0)
        {
            throw new OptionsValidationException(ServiceBusTriggerOptions.SectionPath, typeof(ServiceBusTriggerOptions), reader.Errors);
        }
        foreach (var binding in bindings)
        {
            var logger = loggerFactory.CreateLogger("Push.Hosting.ServiceBus.ServiceBusQueueListener." + binding.FunctionName);
            _listeners.Add(new ServiceBusQueueListener(binding, options, hostOptions, connection, scopes, logger, time));
        }
        foreach (var listener in _listeners) listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_listeners.Select(listener => listener.StopAsync(cancellationToken)));
}
