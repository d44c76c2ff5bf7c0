export const id = 304;
export const ids = [304];
export const modules = {

/***/ 304:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   main: () => (/* binding */ main)
/* harmony export */ });
/* harmony import */ var _commands_index_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2698);
/* harmony import */ var _report_escape_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(4031);
/** The command line: parse argv, hand over to the command, exit with its code (cli.ts loads this). */


/** Runs the command line; `entry` is the CLI's entry module, from which a large evaluation starts a worker. */
async function main(entry) {
    // Run in a workflow step, both streams are read for workflow commands: no line of ours starts with `::`.
    process.exitCode = await (0,_commands_index_js__WEBPACK_IMPORTED_MODULE_0__/* .runCli */ .ak)(process.argv.slice(2), {
        cwd: process.cwd(),
        env: process.env,
        stdoutIsTerminal: process.stdout.isTTY === true,
        stderrIsTerminal: process.stderr.isTTY === true,
        threadEntry: entry,
        stdout: text => process.stdout.write((0,_report_escape_js__WEBPACK_IMPORTED_MODULE_1__/* .neutralizeCommandLines */ .km)(text)),
        stderr: text => process.stderr.write((0,_report_escape_js__WEBPACK_IMPORTED_MODULE_1__/* .neutralizeCommandLines */ .km)(text))
    });
}


/***/ })

};
