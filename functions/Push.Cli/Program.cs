using System.CommandLine;
using Push.Cli;
using Push.Cli.DeadLetters;
using Push.Cli.Devices;
using Push.Cli.Publish;
using Push.Cli.Trace;
using Push.Cli.Tokens;

// `push`: for producers (publish events) and operators (devices, traces). Settings come from the
// same environment variables the relay reads; see README "Configuration".
using var context = CliContext.FromEnvironment();
var verbose = new Option<bool>("--verbose") { Description = "On a failure, print the whole exception with its stack trace.", Recursive = true };
var root = new RootCommand("The push relay's command line: publish events, manage devices, trace deliveries.")
{
    PublishCommands.Create(context),
    DeviceCommands.Create(context),
    TraceCommand.Create(context),
    TokensCommand.Create(context),
    DlqCommands.Create(context),
};
root.Options.Add(verbose);

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // One line, not the error list followed by the whole help text.
    var problems = string.Join("; ", parsed.Errors.Select(e => e.Message.TrimEnd('.')));
    Console.Error.WriteLine($"push: {problems} (see: {CommandPath(parsed.CommandResult)} --help)");
    return CliFailure.UserError;
}
try
{
    return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception ex)
{
    var (message, exitCode) = CliFailure.Describe(ex);
    Console.Error.WriteLine("push: " + message);
    if (parsed.GetValue(verbose))
    {
        Console.Error.WriteLine(ex);
    }
    return exitCode;
}

static string CommandPath(System.CommandLine.Parsing.CommandResult command)
{
    var names = new List<string>();
    for (var current = command; current is not null; current = current.Parent as System.CommandLine.Parsing.CommandResult)
    {
        names.Insert(0, current.Command.Name);
    }
    return string.Join(' ', names);
}
