export const id = 509;
export const ids = [509];
export const modules = {

/***/ 3509:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   serveThread: () => (/* binding */ serveThread)
/* harmony export */ });
/* harmony import */ var node_worker_threads__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5919);
/* harmony import */ var node_worker_threads__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_worker_threads__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _commands_index_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2698);
/* harmony import */ var _commands_registry_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(4028);
/* harmony import */ var _commands_threadData_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7712);
/**
 * The worker thread's side of src/commands/thread.ts: the CLI's entry (cli.ts) loads this instead of the command
 * line when it is started as cmk-guard's worker. It runs the command it was given, sends its output back a
 * chunk at a time (waiting while the backlog is long), then its exit code.
 */




async function serveThread() {
    const port = node_worker_threads__WEBPACK_IMPORTED_MODULE_0__.parentPort;
    const data = node_worker_threads__WEBPACK_IMPORTED_MODULE_0__.workerData;
    const send = (message) => port.postMessage(message);
    const pending = new Int32Array(data.backlog);
    const write = (stream) => (text) => {
        if (!text)
            return;
        Atomics.add(pending, 0, text.length);
        send({ stream, text });
        for (let waiting = Atomics.load(pending, 0); waiting > _commands_threadData_js__WEBPACK_IMPORTED_MODULE_3__/* .THREAD_BACKLOG_CHARS */ .ru; waiting = Atomics.load(pending, 0))
            Atomics.wait(pending, 0, waiting, 1000);
    };
    const io = {
        cwd: data.cwd,
        env: data.env,
        stdoutIsTerminal: data.stdoutIsTerminal,
        stderrIsTerminal: data.stderrIsTerminal,
        stdout: write('stdout'),
        stderr: write('stderr')
    };
    try {
        const command = _commands_registry_js__WEBPACK_IMPORTED_MODULE_2__/* .commands */ .Pi.find(c => c.name === data.command);
        if (!command)
            throw new Error(`no command named ${data.command}`);
        send({ code: await (0,_commands_index_js__WEBPACK_IMPORTED_MODULE_1__/* .runCommand */ .d1)(command, data.values, data.positionals, io) });
    }
    catch (error) {
        send({ internalError: String(error instanceof Error ? error.stack : error) });
    }
}


/***/ })

};
