using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Push.Providers;

/// <summary>
/// The one way the relay's options are registered: bound from their configuration section, checked by one
/// <see cref="IValidateOptions{TOptions}"/> class per options type (every failure names its full key, never the value,
/// and all of them are reported together), and checked when the host starts. Idempotent, so each registration may
/// declare the options it needs whatever else registered them first.
/// </summary>
/// <remarks>
/// Validator classes rather than data annotations: several rules read files (the APNs key, the FCM service account),
/// the configuration (Key Vault against the file settings) or compare settings, which attributes cannot express.
/// </remarks>
public static class ValidatedOptionsServiceCollectionExtensions
{
    /// <summary>Binds <typeparamref name="TOptions"/> to <paramref name="section"/> and validates it with <typeparamref name="TValidator"/> at start.</summary>
    public static IServiceCollection AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, IConfiguration section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return services.BindOnce<TOptions>(section);
    }

    /// <summary>As above, with a validator that needs more than the container gives it.</summary>
    public static IServiceCollection AddValidatedOptions<TOptions>(this IServiceCollection services, IConfiguration section, IValidateOptions<TOptions> validator)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(validator);
        services.TryAddEnumerable(ServiceDescriptor.Singleton(validator));
        return services.BindOnce<TOptions>(section);
    }

    // Binding the same section twice would add list items twice; the marker keeps it to one binding.
    private static IServiceCollection BindOnce<TOptions>(this IServiceCollection services, IConfiguration section)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(section);
        if (services.Any(d => d.ServiceType == typeof(Bound<TOptions>))) return services;
        services.AddSingleton<Bound<TOptions>>();
        services.AddOptions<TOptions>().Bind(section).ValidateOnStart();
        return services;
    }

    private sealed class Bound<TOptions>;
}

/// <summary>The same validators, for a type built without a container (the CLI, tests, a constructor's own guard).</summary>
public static class ValidatedOptions
{
    /// <summary>Throws <see cref="OptionsValidationException"/> with every failure when <paramref name="value"/> is invalid.</summary>
    public static TOptions ThrowIfInvalid<TOptions>(IValidateOptions<TOptions> validator, TOptions value)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(validator);
        ArgumentNullException.ThrowIfNull(value);
        var result = validator.Validate(Options.DefaultName, value);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), result.Failures);
        }
        return value;
    }
}
