package wavlens.io;

/**
 * A problem with the user's input (a file, an option, a model) that the command line reports as
 * one clear line — "file: problem" — instead of a stack trace.
 */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }

    /** "path: problem" — the form every error about a file takes. */
    public static UserError inFile(Object file, String problem) {
        return new UserError(file + ": " + problem);
    }
}
