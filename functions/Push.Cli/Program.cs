using System.CommandLine;
using Microsoft.Extensions.Options;
using Push.Cli;
using Push.Cli.DeadLetters;
using Push.Cli.Devices;
using Push.Cli.Publish;
using Push.Cli.Trace;
using Push.Cli.Tokens;

// `push`: for producers (publish events) and operators (devices, traces). Settings come from the
// same environment variables the relay reads; see README "Configuration".
using var context = CliContext.FromEnvironment();
var root = new RootCommand("The push relay's command line: publish events, manage devices, trace deliveries.")
{
    PublishCommands.Create(context),
    DeviceCommands.Create(context),
    TraceCommand.Create(context),
    TokensCommand.Create(context),
    DlqCommands.Create(context),
};

try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception ex) when (ex is CliException or OptionsValidationException)
{
    Console.Error.WriteLine("push: " + ex.Message);
    return 2;
}
