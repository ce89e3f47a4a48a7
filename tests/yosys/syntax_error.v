// Deliberately broken: a missing semicolon (yosys must report the line and exit 1).
module broken (input wire a, output wire y);
    assign y = ~a
endmodule
